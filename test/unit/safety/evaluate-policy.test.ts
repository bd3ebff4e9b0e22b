// evaluatePolicy: the whole policy on the resulting object, hostile and benign changes, deterministic output.
import { describe, expect, it } from 'vitest';
import type { KubeObject, PatchOp } from '../../../src/domain/index.js';
import type { PolicyConfig } from '../../../src/config/config.js';
import { evaluatePolicy } from '../../../src/safety/evaluate-policy.js';
import { redactObject } from '../../../src/safety/redact.js';
import {
  liveDeployment,
  patched,
  policyConfig,
  policyTarget,
  previousTemplate,
} from '../../fixtures/policy-fixtures.js';

const C0 = '/spec/template/spec/containers/0';
const strict: Partial<PolicyConfig> = {
  allowedRegistries: ['ghcr.io', 'docker.io'],
  maxMemoryBytes: 2 ** 30,
};

function judge(ops: PatchOp[], policy: Partial<PolicyConfig> = strict, live: KubeObject = liveDeployment()) {
  return evaluatePolicy({
    target: policyTarget,
    live,
    proposed: patched(ops, live),
    policy: policyConfig(policy),
    previousTemplates: [previousTemplate()],
  });
}

describe('evaluatePolicy refuses hostile changes', () => {
  it.each<[string, PatchOp[], string]>([
    [
      'privileged',
      [{ op: 'add', path: `${C0}/securityContext`, value: { privileged: true } }],
      'container app: privileged is not allowed (Pod Security baseline)',
    ],
    [
      'hostPath volume',
      [
        {
          op: 'add',
          path: '/spec/template/spec/volumes/-',
          value: { name: 'docker', hostPath: { path: '/var/run/docker.sock' } },
        },
      ],
      'volume docker: hostPath volumes are not allowed (Pod Security baseline)',
    ],
    [
      'hostNetwork',
      [{ op: 'add', path: '/spec/template/spec/hostNetwork', value: true }],
      'pod: hostNetwork is not allowed (Pod Security baseline)',
    ],
    [
      'another namespace',
      [{ op: 'replace', path: '/metadata/namespace', value: 'kube-system' }],
      'metadata.namespace must stay shop, not kube-system (scope lock)',
    ],
    [
      'another kind',
      [{ op: 'replace', path: '/kind', value: 'DaemonSet' }],
      'kind must stay Deployment, not DaemonSet (scope lock)',
    ],
    [
      'new serviceAccountName',
      [{ op: 'replace', path: '/spec/template/spec/serviceAccountName', value: 'cluster-admin' }],
      'pod spec field serviceAccountName must not change (scope lock)',
    ],
    [
      'removed memory limit',
      [{ op: 'remove', path: `${C0}/resources/limits/memory` }],
      'container app: the memory limit (64Mi) must not be removed',
    ],
    [
      'changed selector',
      [{ op: 'replace', path: '/spec/selector', value: { matchLabels: { app: 'db' } } }],
      'spec.selector must not change (scope lock)',
    ],
    [
      'changed selector-used label',
      [{ op: 'replace', path: '/spec/template/metadata/labels/app', value: 'db' }],
      'pod template label "app" is used by spec.selector and must not change (scope lock)',
    ],
    [
      'added container',
      [{ op: 'add', path: '/spec/template/spec/containers/-', value: { name: 'x', image: 'busybox' } }],
      'containers must not be added, removed, renamed or reordered: live has [app, metrics], the change has [app, metrics, x] (scope lock)',
    ],
    [
      'SYS_ADMIN',
      [{ op: 'add', path: `${C0}/securityContext`, value: { capabilities: { add: ['SYS_ADMIN'] } } }],
      'container app: adding capabilities SYS_ADMIN is not allowed (Pod Security baseline)',
    ],
    [
      'non-allowed registry',
      [{ op: 'replace', path: `${C0}/image`, value: 'quay.io/evil/web:1' }],
      'container app: image quay.io/evil/web:1 comes from quay.io, which is not an allowed registry (ghcr.io, docker.io)',
    ],
    [
      'replicas over cap',
      [{ op: 'replace', path: '/spec/replicas', value: 100 }],
      'spec.replicas 100 is above the maximum of 20 (AUTOFIX_MAX_REPLICAS)',
    ],
    [
      'memory over cap',
      [{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '2Gi' }],
      'container app: memory limit 2Gi is above the maximum of 1Gi (AUTOFIX_MAX_MEMORY)',
    ],
    [
      'a new Secret in env',
      [
        {
          op: 'add',
          path: `${C0}/env/-`,
          value: {
            name: 'ADMIN',
            valueFrom: { secretKeyRef: { name: 'cluster-admin-token', key: 'token' } },
          },
        },
      ],
      'container app: env ADMIN reads Secret cluster-admin-token, which the workload does not use yet; access to a new Secret needs a human',
    ],
    [
      'a new Secret in envFrom',
      [{ op: 'add', path: `${C0}/envFrom`, value: [{ secretRef: { name: 'payments-keys' } }] }],
      'container app: envFrom reads Secret payments-keys, which the workload does not use yet; access to a new Secret needs a human',
    ],
    [
      'tolerating every taint',
      [{ op: 'add', path: '/spec/template/spec/tolerations', value: [{ operator: 'Exists' }] }],
      'a toleration with operator Exists and no key tolerates every taint; tolerate the specific taint instead',
    ],
    [
      'tolerating control-plane taints',
      [
        {
          op: 'add',
          path: '/spec/template/spec/tolerations',
          value: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
        },
      ],
      'tolerating node-role.kubernetes.io/control-plane would let the pods run on control-plane nodes',
    ],
  ])('%s', (_name, ops, expected) => {
    const result = judge(ops);
    expect(result.ok).toBe(false);
    expect(result.violations).toContain(expected);
  });
});

describe('evaluatePolicy passes benign changes', () => {
  it.each<[string, PatchOp[]]>([
    ['image tag change', [{ op: 'replace', path: `${C0}/image`, value: 'ghcr.io/acme/web:1.4.3' }]],
    ['memory raise within cap', [{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '256Mi' }]],
    ['probe port change', [{ op: 'replace', path: `${C0}/livenessProbe/httpGet/port`, value: 'http' }]],
    [
      'a probe made more patient',
      [{ op: 'replace', path: `${C0}/readinessProbe/failureThreshold`, value: 10 }],
    ],
    [
      'restoring the previous template',
      [{ op: 'replace', path: '/spec/template', value: previousTemplate() }],
    ],
    ['scaling up', [{ op: 'replace', path: '/spec/replicas', value: 6 }]],
  ])('%s', (_name, ops) => {
    expect(judge(ops)).toEqual({ ok: true, violations: [], flags: [] });
  });

  it('passes a Secret reference made optional, flagged: an env change is a behaviour change', () => {
    expect(judge([{ op: 'add', path: `${C0}/env/1/valueFrom/secretKeyRef/optional`, value: true }])).toEqual({
      ok: true,
      violations: [],
      flags: [
        'container app: env DB_PASSWORD changes to from Secret web-db key password (optional) (was from Secret web-db key password)',
      ],
    });
  });

  it('judges the redacted live object and the object patched from it the same way', () => {
    const live = redactObject(liveDeployment());
    const proposed = patched([{ op: 'replace', path: `${C0}/image`, value: 'ghcr.io/acme/web:1.4.3' }], live);
    expect(evaluatePolicy({ target: policyTarget, live, proposed, policy: policyConfig(strict) })).toEqual({
      ok: true,
      violations: [],
      flags: [],
    });
  });
});

describe('evaluatePolicy output', () => {
  const ops: PatchOp[] = [
    { op: 'replace', path: '/spec/replicas', value: 100 },
    { op: 'add', path: `${C0}/securityContext`, value: { privileged: true } },
    { op: 'replace', path: '/metadata/namespace', value: 'default' },
  ];

  it('lists rule by rule: scope lock, then pod security, then caps', () => {
    expect(judge(ops).violations).toEqual([
      'metadata.namespace must stay shop, not default (scope lock)',
      'container app: securityContext must not change; only image, command, args, env, envFrom, resources, livenessProbe, readinessProbe, startupProbe, ports may (scope lock)',
      'container app: privileged is not allowed (Pod Security baseline)',
      'spec.replicas 100 is above the maximum of 20 (AUTOFIX_MAX_REPLICAS)',
      "the workload's total cpu limits would be 100 × 500m = 50, above the maximum of 16 (AUTOFIX_MAX_TOTAL_CPU)",
    ]);
  });

  it('does not depend on the order of the operations or of object keys', () => {
    const shuffled = judge([...ops].reverse());
    const reordered = Object.fromEntries(Object.entries(patched(ops)).reverse());
    const again = evaluatePolicy({
      target: policyTarget,
      live: liveDeployment(),
      proposed: reordered,
      policy: policyConfig(strict),
    });
    expect(shuffled).toEqual(judge(ops));
    expect(again).toEqual(judge(ops));
  });

  it('never throws on malformed objects and refuses them', () => {
    for (const proposed of [
      {},
      { spec: 'x' },
      { metadata: null, spec: { template: [] } },
      { kind: 'Deployment', spec: { template: { spec: { containers: 'x' } } } },
    ]) {
      const result = evaluatePolicy({
        target: policyTarget,
        live: liveDeployment(),
        proposed,
        policy: policyConfig(),
      });
      expect(result.ok).toBe(false);
      expect(result.violations.length).toBeGreaterThan(0);
    }
  });
});
