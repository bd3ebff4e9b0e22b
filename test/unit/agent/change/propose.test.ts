// propose: cleaned manifest, unified YAML diff, summary lines read off the result, no-op changes refused.
import { describe, expect, it } from 'vitest';
import { cleanManifest } from '../../../../src/agent/collect/clean-manifest.js';
import { propose } from '../../../../src/agent/change/propose.js';
import { unifiedDiff } from '../../../../src/agent/change/unified-diff.js';
import { AutofixError, ErrorCode, type Change, type Evidence } from '../../../../src/domain/index.js';
import { REDACTED, redactObject } from '../../../../src/safety/redact.js';
import {
  liveDeployment,
  patched,
  policyTarget,
  previousTemplate,
} from '../../../fixtures/policy-fixtures.js';

const C0 = '/spec/template/spec/containers/0';
const raiseMemory: Change = {
  summary: ['raise memory limit of container app from 64Mi to 256Mi'],
  patch: [{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '256Mi' }],
};

describe('cleanManifest', () => {
  it('keeps identity, labels, annotations and spec, drops what the server owns', () => {
    const m = cleanManifest(liveDeployment());
    expect(Object.keys(m)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    expect(m.metadata).toEqual({
      name: 'web',
      namespace: 'shop',
      labels: { app: 'web', 'app.kubernetes.io/part-of': 'shop' },
    });
    expect(m.spec).toEqual(liveDeployment().spec);
  });

  it('keeps other annotations', () => {
    const m = cleanManifest(
      patched([{ op: 'add', path: '/metadata/annotations/kubernetes.io~1change-cause', value: 'fix' }]),
    );
    expect((m.metadata as { annotations: unknown }).annotations).toEqual({
      'kubernetes.io/change-cause': 'fix',
    });
  });

  it('is a copy', () => {
    const live = liveDeployment();
    (cleanManifest(live).spec as { replicas: number }).replicas = 99;
    expect(live).toEqual(liveDeployment());
  });
});

describe('unifiedDiff', () => {
  it('diffs the cleaned YAML with a/ b/ headers and 3 lines of context', () => {
    const diff = unifiedDiff(liveDeployment(), patched(raiseMemory.patch), 'deployment/web');
    expect(diff).toBe(
      [
        '--- a/deployment/web',
        '+++ b/deployment/web',
        '@@ -40,7 +40,7 @@',
        '           resources:',
        '             limits:',
        '               cpu: 500m',
        '-              memory: 64Mi',
        '+              memory: 256Mi',
        '             requests:',
        '               cpu: 100m',
        '               memory: 32Mi',
        '',
      ].join('\n'),
    );
  });

  it('is empty when nothing changes', () => {
    expect(unifiedDiff(liveDeployment(), liveDeployment(), 'deployment/web')).toBe('');
  });

  it('shows a change to a field the cleaned manifest hides (what is sent is shown)', () => {
    const after = patched([
      { op: 'replace', path: '/status/replicas', value: 0 },
      { op: 'add', path: '/metadata/finalizers', value: ['example.com/hold'] },
      {
        op: 'replace',
        path: '/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration',
        value: '{}',
      },
    ]);
    const diff = unifiedDiff(liveDeployment(), after, 'deployment/web');
    expect(diff).toContain('+    - example.com/hold');
    expect(diff).toContain('+    kubectl.kubernetes.io/last-applied-configuration: "{}"');
    expect(diff).toContain('+  replicas: 0');
  });

  it('never folds long values', () => {
    const long = `--flag=${'x'.repeat(200)}`;
    const diff = unifiedDiff(
      liveDeployment(),
      patched([{ op: 'replace', path: `${C0}/args/0`, value: long }]),
      'deployment/web',
    );
    expect(diff).toContain(`+            - ${long}\n`);
  });
});

describe('propose', () => {
  it('returns the cleaned manifest, the diff and what changed', () => {
    const result = propose({ live: liveDeployment(), change: raiseMemory });
    expect(result.manifest).toEqual(cleanManifest(patched(raiseMemory.patch)));
    expect(result.diff).toMatch(/^--- a\/deployment\/web\n\+\+\+ b\/deployment\/web\n/);
    expect(result.changes).toEqual(['container app: resources.limits.memory 64Mi → 256Mi']);
  });

  it('describes what the result does, not what the change claims', () => {
    const change: Change = {
      summary: ['only bump the image'],
      patch: [
        { op: 'replace', path: `${C0}/image`, value: 'ghcr.io/acme/web:1.4.3' },
        { op: 'replace', path: '/spec/replicas', value: 5 },
        { op: 'replace', path: `${C0}/env/0/value`, value: 'debug' },
        { op: 'add', path: `${C0}/env/-`, value: { name: 'FEATURE', value: 'on' } },
      ],
    };
    expect(propose({ live: liveDeployment(), change }).changes).toEqual([
      'replicas 3 → 5',
      'container app: env add FEATURE',
      'container app: image ghcr.io/acme/web:1.4.2 → ghcr.io/acme/web:1.4.3',
    ]);
  });

  it('summarises a rollback to the previous template', () => {
    const change: Change = {
      summary: ['roll back'],
      patch: [{ op: 'replace', path: '/spec/template', value: previousTemplate() }],
    };
    expect(propose({ live: liveDeployment(), change }).changes).toEqual([
      'container app: command ["/app/server"] → ["/app/server","--legacy-config"]',
      'container app: env LOG_LEVEL info → warn',
      'container app: image ghcr.io/acme/web:1.4.2 → ghcr.io/acme/web:1.4.1',
    ]);
  });

  it('works from evidence (the redacted workload)', () => {
    const evidence = {
      target: policyTarget,
      workload: redactObject(liveDeployment()),
    } as unknown as Evidence;
    const result = propose({ evidence, change: raiseMemory });
    expect(result.changes).toEqual(['container app: resources.limits.memory 64Mi → 256Mi']);
    const shown = { manifest: result.manifest, diff: result.diff, changes: result.changes };
    expect(JSON.stringify(shown)).not.toContain(REDACTED);
    expect(result.patched).toEqual(patched(raiseMemory.patch, evidence.workload));
  });

  it('refuses a change that changes nothing, with BAD_INPUT', () => {
    const noop: Change = {
      summary: ['set memory'],
      patch: [{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '64Mi' }],
    };
    expect(() => propose({ live: liveDeployment(), change: noop })).toThrow(AutofixError);
    expect(() => propose({ live: liveDeployment(), change: noop })).toThrow(
      /does not change deployment\/web/,
    );
  });

  it('returns the whole patched object, status and metadata included, for the policy to judge', () => {
    const statusOnly: Change = {
      summary: ['x'],
      patch: [{ op: 'replace', path: '/status/readyReplicas', value: 4 }],
    };
    const result = propose({ live: liveDeployment(), change: statusOnly });
    expect(result.patched).toEqual(patched(statusOnly.patch));
    expect(result.diff).toContain('+  readyReplicas: 4');
  });

  it('passes on patch errors as BAD_INPUT', () => {
    const bad: Change = {
      summary: ['x'],
      patch: [{ op: 'replace', path: '/spec/template/spec/containers/5/image', value: 'x' }],
    };
    try {
      propose({ live: liveDeployment(), change: bad });
      expect.unreachable();
    } catch (e) {
      expect((e as AutofixError).code).toBe(ErrorCode.BadInput);
      expect((e as AutofixError).message).toMatch(
        /patch operation 0 \(replace \/spec\/template\/spec\/containers\/5\/image\)/,
      );
    }
  });
});
