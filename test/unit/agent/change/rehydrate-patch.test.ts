// Rehydration puts real values back only where the masked value came from the cluster unchanged.
import { describe, expect, it } from 'vitest';
import { rehydratePatch } from '../../../../src/agent/change/rehydrate-patch.js';
import { REDACTED, redactObject } from '../../../../src/safety/redact.js';

const template = (env: Array<{ name: string; value: string }>, image = 'acme/shop-web:1.4.0') => ({
  metadata: { labels: { app: 'web' } },
  spec: {
    containers: [{ name: 'app', image, env, args: ['--token=ghp_abcdefghijklmnopqrstuvwxyz0123456789'] }],
  },
});
const live = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', uid: 'u1', generation: 4 },
  spec: {
    template: template(
      [
        { name: 'DB_PASSWORD', value: 'hunter2' },
        { name: 'MODE', value: 'prod' },
      ],
      'acme/shop-web:1.5.0',
    ),
  },
};
const previous = template([
  { name: 'MODE', value: 'prod' },
  { name: 'DB_PASSWORD', value: 'older-secret' },
]);

describe('rehydratePatch', () => {
  it('restores a credential env value by variable name from the revision the template came from', () => {
    const masked = redactObject(previous);
    expect(JSON.stringify(masked)).not.toContain('older-secret');
    const { ops, unresolved } = rehydratePatch([{ op: 'replace', path: '/spec/template', value: masked }], {
      live,
      templates: [previous],
    });
    expect(unresolved).toEqual([]);
    const env = (ops[0]!.value as typeof previous).spec.containers[0]!.env;
    expect(env).toEqual([
      { name: 'MODE', value: 'prod' },
      { name: 'DB_PASSWORD', value: 'older-secret' },
    ]);
    expect((ops[0]!.value as typeof previous).spec.containers[0]!.args[0]).toContain('ghp_');
  });

  it('restores values kept at the same path of the live object', () => {
    const op = {
      op: 'replace' as const,
      path: '/spec/template/spec/containers/0/env',
      value: redactObject(live.spec.template.spec.containers[0]!.env),
    };
    const { ops, unresolved } = rehydratePatch([op], { live, templates: [] });
    expect(unresolved).toEqual([]);
    expect(ops[0]!.value).toEqual(live.spec.template.spec.containers[0]!.env);
  });

  it('leaves a mask it cannot trace to an unchanged original unresolved (never invents a value)', () => {
    const op = {
      op: 'add' as const,
      path: '/spec/template/spec/containers/0/env/-',
      value: { name: 'API_TOKEN', value: REDACTED },
    };
    const { unresolved } = rehydratePatch([op], { live, templates: [previous] });
    expect(unresolved).toEqual(['/spec/template/spec/containers/0/env/-/value']);
  });

  it('passes plain values through untouched', () => {
    const op = {
      op: 'replace' as const,
      path: '/spec/template/spec/containers/0/image',
      value: 'acme/shop-web:1.4.0',
    };
    expect(rehydratePatch([op], { live, templates: [] })).toEqual({ ops: [op], unresolved: [] });
  });
});

describe('rehydratePatch ambiguity', () => {
  it('refuses to guess when two originals could hide behind the same mask', () => {
    const op = {
      op: 'replace' as const,
      path: '/spec/template/spec/containers/0/env/1',
      value: { name: 'DB_PASSWORD', value: REDACTED },
    };
    const other = template([
      { name: 'MODE', value: 'prod' },
      { name: 'DB_PASSWORD', value: 'third' },
    ]);
    const { unresolved } = rehydratePatch([op], { live, templates: [previous, other] });
    expect(unresolved).toEqual(['/spec/template/spec/containers/0/env/1/value']);
  });

  it('a whole template equal (redacted) to two revisions with different secrets stays unresolved, in any order', () => {
    const rotated = template([{ name: 'DB_PASSWORD', value: 'rotated-2025' }]);
    const revoked = template([{ name: 'DB_PASSWORD', value: 'leaked-2023' }]);
    expect(redactObject(rotated)).toEqual(redactObject(revoked));
    const op = { op: 'replace' as const, path: '/spec/template', value: redactObject(rotated) };
    for (const templates of [
      [rotated, revoked],
      [revoked, rotated],
    ]) {
      const { unresolved } = rehydratePatch([op], { live, templates });
      expect(unresolved).toContain('/spec/template/spec/containers/0/env/0/value');
    }
    // Two revisions with the same real value agree: restored.
    const same = rehydratePatch([op], {
      live,
      templates: [rotated, template([{ name: 'DB_PASSWORD', value: 'rotated-2025' }])],
    });
    expect(same.unresolved).toEqual([]);
  });
});
