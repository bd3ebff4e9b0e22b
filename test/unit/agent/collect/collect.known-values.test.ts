// Collect reads the Secrets the workload uses and masks their values everywhere in the evidence; a refused
// read is a gap, and restoring a patch compares with the same matcher.
import { describe, expect, it } from 'vitest';
import { rehydratePatch } from '../../../../src/agent/change/rehydrate-patch.js';
import { collectEvidence } from '../../../../src/agent/collect/collect.js';
import { AutofixError, ErrorCode, type KubeObject } from '../../../../src/domain/index.js';
import { knownValues } from '../../../../src/safety/known-values.js';
import { REDACTED, redactObject } from '../../../../src/safety/redact.js';
import { secretsUsed } from '../../../../src/safety/workload-secrets.js';
import { memoryCluster } from '../../../fixtures/memory-cluster.js';
import { scenarios, type Json } from '../../../fixtures/index.js';

// Looks like prose to every shape rule: only the known-value matcher can tell it is a secret.
const VALUE = 'correct-horse-battery-staple';
const LINES = ['first line of a multi-line key', 'second line of that key'];
const b64 = (s: string, pad = ''): string => Buffer.from(pad + s).toString('base64');

const target = { kind: 'Deployment' as const, name: 'db', namespace: 'shop' };

function secret(name: string, data: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: 'shop' },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
  };
}

/** The crash-looping db, reading Secret `db` in env and `tls` as a volume, logging the values in every form. */
function scene(printed: string[]) {
  const e = scenarios.crashLoopMissingEnv();
  const d = structuredClone(e.deployment);
  const spec = ((d.spec as Json).template as Json).spec as Json;
  const c = (spec.containers as Json[])[0]!;
  c.env = [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }];
  c.args = ['--note', `started as ${VALUE}`];
  spec.volumes = [{ name: 'tls', secret: { secretName: 'tls' } }];
  const log = e.logs![0]!;
  return {
    ...e,
    deployment: d,
    secrets: [secret('db', { password: VALUE }), secret('tls', { 'tls.key': LINES.join('\n') })],
    logs: [{ ...log, lines: [...log.lines, ...printed] }],
  };
}

const PRINTED = [
  `connecting with ${VALUE}`,
  `config dump ${b64(VALUE)}`,
  `blob ${b64(VALUE, 'x')}`,
  `blob ${b64(VALUE, 'xy')}`,
  `url https://db.shop/?q=${encodeURIComponent(VALUE + ' ok')}`,
  `{"msg":"{\\"note\\":\\"${VALUE}\\"}"}`,
  `key material: ${LINES[0]}`,
  `  ${LINES[1]}`,
];

describe('collect with the workload’s own secret values', () => {
  it('masks each value in logs, args and every form, where shape rules alone keep it', async () => {
    const input = scene(PRINTED);
    const { evidence } = await collectEvidence(memoryCluster(input), target);
    const text = JSON.stringify(evidence);
    for (const form of [VALUE, b64(VALUE).slice(0, 20), ...LINES]) expect(text).not.toContain(form);
    expect(evidence.logs[0]!.lines).toContain(`connecting with ${REDACTED}`);
    expect(evidence.gaps.filter((g) => g.startsWith('secret values'))).toEqual([]);
    // Without the Secret references the same text is not a secret to the shape rules.
    const unreferenced = structuredClone(input);
    const spec = ((unreferenced.deployment.spec as Json).template as Json).spec as Json;
    delete (spec.containers as Json[])[0]!.env;
    delete spec.volumes;
    const plain = await collectEvidence(memoryCluster(unreferenced), target);
    expect(plain.evidence.logs[0]!.lines).toContain(`connecting with ${VALUE}`);
  });

  it('a refused read is a gap naming the Secret and the grant; the evidence is still collected', async () => {
    const cluster = memoryCluster(scene(PRINTED));
    cluster.getSecretValues = async (_ns, name) => {
      throw new AutofixError(ErrorCode.Forbidden, `Not allowed to get secret ${name} in shop`);
    };
    const { evidence } = await collectEvidence(cluster, target);
    expect(evidence.gaps).toContainEqual(
      expect.stringMatching(/^secret values: could not read Secret db, tls;/),
    );
    expect(evidence.gaps.join('\n')).toMatch(/grant the worker get on secrets in shop/);
    expect(evidence.logs[0]!.lines.length).toBeGreaterThan(3);
  });

  it('a Secret that does not exist adds nothing and no gap', async () => {
    const input = { ...scene(PRINTED), secrets: [] };
    const { evidence } = await collectEvidence(memoryCluster(input), target);
    expect(evidence.gaps.filter((g) => g.startsWith('secret values'))).toEqual([]);
    expect(evidence.logs[0]!.lines).toContain(`connecting with ${VALUE}`);
  });

  it('restores a value masked only because it is known, and keeps that value masked when compared', async () => {
    const { evidence, sealed } = await collectEvidence(memoryCluster(scene(PRINTED)), target);
    const args = (((evidence.workload.spec as Json).template as Json).spec as Json).containers as Json[];
    expect(args[0]!.args).toEqual(['--note', `started as ${REDACTED}`]);
    const path = '/spec/template/spec/containers/0/args';
    const { ops, unresolved } = rehydratePatch(
      [{ op: 'replace', path, value: ['--note', `started as ${REDACTED}`, '--verbose'] }],
      sealed,
    );
    expect(unresolved).toEqual([]);
    expect(ops[0]!.value).toEqual(['--note', `started as ${VALUE}`, '--verbose']);
    // The same patch without the matcher cannot be restored: nothing in shape says the value was masked.
    const blind = rehydratePatch([{ op: 'replace', path, value: ['--note', `started as ${REDACTED}`] }], {
      live: sealed.live,
      templates: sealed.templates,
    });
    expect(blind.unresolved).toEqual([`${path}/1`]);
  });
});

describe('secretsUsed', () => {
  it('names env, envFrom, volumes, projected volumes, init containers and image pull secrets, once each', () => {
    const workload = {
      spec: {
        template: {
          spec: {
            imagePullSecrets: [{ name: 'registry' }],
            initContainers: [{ name: 'init', envFrom: [{ secretRef: { name: 'init-env' } }] }],
            containers: [
              {
                name: 'app',
                env: [
                  { name: 'A', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
                  { name: 'B', valueFrom: { configMapKeyRef: { name: 'not-a-secret', key: 'x' } } },
                ],
              },
            ],
            volumes: [
              { name: 'v', secret: { secretName: 'tls' } },
              {
                name: 'p',
                projected: { sources: [{ secret: { name: 'projected' } }, { configMap: { name: 'cm' } }] },
              },
              { name: 'again', secret: { secretName: 'db' } },
            ],
          },
        },
      },
    };
    expect(secretsUsed(workload)).toEqual(['db', 'init-env', 'projected', 'registry', 'tls']);
    expect(secretsUsed({})).toEqual([]);
  });

  it('redactObject with known values masks an env literal equal to a Secret value under any name', () => {
    const env = [{ name: 'CONNECTION_NOTE', value: VALUE }];
    expect(redactObject({ env })).toEqual({ env });
    expect(redactObject({ env }, knownValues([VALUE]))).toEqual({
      env: [{ name: 'CONNECTION_NOTE', value: REDACTED }],
    });
  });
});
