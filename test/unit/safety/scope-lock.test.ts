// Scope lock: hostile changes outside the allowlist are refused, allowlisted ones pass.
import { describe, expect, it } from 'vitest';
import type { KubeObject, PatchOp } from '../../../src/domain/index.js';
import { cleanManifest } from '../../../src/agent/collect/clean-manifest.js';
import { scopeLock } from '../../../src/safety/scope-lock.js';
import {
  liveDeployment,
  patched,
  policyConfig,
  policyTarget,
  previousTemplate,
} from '../../fixtures/policy-fixtures.js';

const C0 = '/spec/template/spec/containers/0';

function lock(proposed: KubeObject, live: KubeObject = liveDeployment()): string[] {
  return scopeLock({ target: policyTarget, live, proposed, policy: policyConfig() });
}
const lockOps = (ops: PatchOp[]): string[] => lock(patched(ops));

describe('scopeLock refuses', () => {
  it.each<[string, PatchOp[], RegExp]>([
    [
      'a different namespace',
      [{ op: 'replace', path: '/metadata/namespace', value: 'kube-system' }],
      /metadata\.namespace must stay shop, not kube-system/,
    ],
    [
      'a different name',
      [{ op: 'replace', path: '/metadata/name', value: 'api' }],
      /metadata\.name must stay web, not api/,
    ],
    [
      'a different kind',
      [{ op: 'replace', path: '/kind', value: 'StatefulSet' }],
      /kind must stay Deployment, not StatefulSet/,
    ],
    [
      'a different apiVersion',
      [{ op: 'replace', path: '/apiVersion', value: 'extensions/v1beta1' }],
      /apiVersion must stay apps\/v1/,
    ],
    [
      'a new serviceAccountName',
      [{ op: 'replace', path: '/spec/template/spec/serviceAccountName', value: 'admin' }],
      /pod spec field serviceAccountName must not change/,
    ],
    [
      'automountServiceAccountToken',
      [{ op: 'add', path: '/spec/template/spec/automountServiceAccountToken', value: true }],
      /pod spec field automountServiceAccountToken/,
    ],
    [
      'a changed selector',
      [{ op: 'replace', path: '/spec/selector/matchLabels/app', value: 'other' }],
      /spec\.selector must not change/,
    ],
    [
      'a changed selector-used template label',
      [{ op: 'replace', path: '/spec/template/metadata/labels/app', value: 'other' }],
      /pod template label "app" is used by spec\.selector/,
    ],
    [
      'another template label',
      [{ op: 'add', path: '/spec/template/metadata/labels/role', value: 'admin' }],
      /pod template label "role" must not change/,
    ],
    [
      'an added container',
      [
        {
          op: 'add',
          path: '/spec/template/spec/containers/-',
          value: { name: 'miner', image: 'evil/miner' },
        },
      ],
      /containers must not be added, removed, renamed or reordered: live has \[app, metrics\], the change has \[app, metrics, miner\]/,
    ],
    [
      'a removed container',
      [{ op: 'remove', path: '/spec/template/spec/containers/1' }],
      /containers must not be added, removed/,
    ],
    [
      'a renamed container',
      [{ op: 'replace', path: `${C0}/name`, value: 'main' }],
      /containers must not be added, removed, renamed/,
    ],
    [
      'an added init container',
      [{ op: 'add', path: '/spec/template/spec/initContainers', value: [{ name: 'x', image: 'busybox' }] }],
      /init containers must not be added/,
    ],
    [
      'a new volume',
      [
        {
          op: 'add',
          path: '/spec/template/spec/volumes/-',
          value: { name: 'host', hostPath: { path: '/' } },
        },
      ],
      /pod spec field volumes must not change/,
    ],
    [
      'a volume mount',
      [{ op: 'add', path: `${C0}/volumeMounts/-`, value: { name: 'config', mountPath: '/x' } }],
      /container app: volumeMounts must not change/,
    ],
    [
      'a container securityContext',
      [{ op: 'add', path: `${C0}/securityContext`, value: { privileged: true } }],
      /container app: securityContext must not change/,
    ],
    [
      'hostNetwork',
      [{ op: 'add', path: '/spec/template/spec/hostNetwork', value: true }],
      /pod spec field hostNetwork must not change/,
    ],
    [
      'a pod securityContext',
      [{ op: 'add', path: '/spec/template/spec/securityContext/runAsUser', value: 0 }],
      /pod spec field securityContext must not change/,
    ],
    [
      'priorityClassName',
      [{ op: 'add', path: '/spec/template/spec/priorityClassName', value: 'system-cluster-critical' }],
      /pod spec field priorityClassName/,
    ],
    [
      'nodeName',
      [{ op: 'add', path: '/spec/template/spec/nodeName', value: 'master-0' }],
      /pod spec field nodeName/,
    ],
    [
      'the strategy',
      [{ op: 'replace', path: '/spec/strategy/type', value: 'Recreate' }],
      /spec\.strategy must not change/,
    ],
    ['paused', [{ op: 'add', path: '/spec/paused', value: true }], /spec\.paused must not change/],
    [
      'a workload label',
      [{ op: 'add', path: '/metadata/labels/team', value: 'x' }],
      /label "team" of the workload must not change/,
    ],
    [
      'a workload annotation',
      [{ op: 'add', path: '/metadata/annotations/argocd.argoproj.io~1sync-options', value: 'Prune=false' }],
      /annotation "argocd\.argoproj\.io\/sync-options" of the workload/,
    ],
    [
      'ownerReferences',
      [{ op: 'add', path: '/metadata/ownerReferences', value: [{ kind: 'X', name: 'y' }] }],
      /metadata\.ownerReferences must not change/,
    ],
    [
      'a template annotation',
      [
        {
          op: 'add',
          path: '/spec/template/metadata/annotations',
          value: { 'sidecar.istio.io/inject': 'false' },
        },
      ],
      /pod template annotation "sidecar\.istio\.io\/inject"/,
    ],
    ['a new top-level field', [{ op: 'add', path: '/data', value: { a: 'b' } }], /^data must not change/],
  ])('%s', (_name, ops, expected) => {
    const violations = lockOps(ops);
    expect(
      violations.some((v) => expected.test(v)),
      violations.join('\n'),
    ).toBe(true);
    expect(violations.every((v) => v.endsWith('(scope lock)'))).toBe(true);
  });

  it('a live object that is not the target', () => {
    const live = liveDeployment();
    (live.metadata as Record<string, unknown>).namespace = 'other';
    expect(lock(liveDeployment(), live)[0]).toMatch(
      /the live object is Deployment other\/web, not the target deployment\/web in shop/,
    );
  });

  it('reports one sentence per field, not per leaf', () => {
    const v = lockOps([
      {
        op: 'add',
        path: `${C0}/securityContext`,
        value: { privileged: true, runAsUser: 0, capabilities: { add: ['SYS_ADMIN'] } },
      },
    ]);
    expect(v).toEqual([expect.stringMatching(/^container app: securityContext must not change/)]);
  });
});

describe('scopeLock allows', () => {
  it.each<[string, PatchOp[]]>([
    ['an image tag change', [{ op: 'replace', path: `${C0}/image`, value: 'ghcr.io/acme/web:1.4.3' }]],
    ['a memory raise', [{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '256Mi' }]],
    ['a probe port change', [{ op: 'replace', path: `${C0}/readinessProbe/httpGet/port`, value: 8081 }]],
    ['a new env var', [{ op: 'add', path: `${C0}/env/-`, value: { name: 'FEATURE_X', value: 'on' } }]],
    ['new args', [{ op: 'replace', path: `${C0}/args`, value: ['--port=9090'] }]],
    [
      'a startup probe',
      [{ op: 'add', path: `${C0}/startupProbe`, value: { tcpSocket: { port: 8080 }, failureThreshold: 30 } }],
    ],
    [
      'resources on the sidecar',
      [{ op: 'add', path: '/spec/template/spec/containers/1/resources/limits/cpu', value: '200m' }],
    ],
    ['replicas', [{ op: 'replace', path: '/spec/replicas', value: 5 }]],
    [
      'a nodeSelector',
      [{ op: 'add', path: '/spec/template/spec/nodeSelector', value: { 'kubernetes.io/arch': 'amd64' } }],
    ],
    [
      'tolerations',
      [
        {
          op: 'add',
          path: '/spec/template/spec/tolerations',
          value: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }],
        },
      ],
    ],
    [
      'a rollout restart',
      [
        {
          op: 'add',
          path: '/spec/template/metadata/annotations',
          value: { 'kubectl.kubernetes.io/restartedAt': '2025-01-12T15:00:00Z' },
        },
      ],
    ],
    [
      'a change-cause annotation',
      [
        {
          op: 'add',
          path: '/metadata/annotations/kubernetes.io~1change-cause',
          value: 'kube-autofix: raise memory',
        },
      ],
    ],
  ])('%s', (_name, ops) => {
    expect(lockOps(ops)).toEqual([]);
  });

  it('restoring the previous revision template (env, command, image differ)', () => {
    expect(lockOps([{ op: 'replace', path: '/spec/template', value: previousTemplate() }])).toEqual([]);
  });

  it('restoring a previous template that also swaps the service account is refused', () => {
    const t = previousTemplate() as { spec: Record<string, unknown> };
    t.spec.serviceAccountName = 'admin';
    expect(lockOps([{ op: 'replace', path: '/spec/template', value: t }])).toEqual([
      'pod spec field serviceAccountName must not change (scope lock)',
    ]);
  });

  it('judges the whole object: a cleaned manifest (status, uid, annotations left out) is a change', () => {
    const v = lock(
      cleanManifest(patched([{ op: 'replace', path: `${C0}/image`, value: 'ghcr.io/acme/web:2' }])),
    );
    expect(v).toContain('status must not change (scope lock)');
    expect(v).toContain('metadata.uid must not change (scope lock)');
  });

  it('but changing a server-owned field that is present is', () => {
    expect(lockOps([{ op: 'replace', path: '/metadata/uid', value: 'x' }])).toEqual([
      'metadata.uid must not change (scope lock)',
    ]);
  });
});

describe('scopeLock on a rollback that drops what a release added', () => {
  type Tpl = { spec: { initContainers?: unknown[]; containers: Array<{ name: string }> } };
  const migrate = { name: 'migrate', image: 'busybox:1.36', command: ['sh', '-c', 'exit 1'] };
  /** Live: the release added an init container; revision templates as the collector sealed them. */
  function released(): KubeObject {
    const live = liveDeployment() as unknown as { spec: { template: Tpl } };
    live.spec.template.spec.initContainers = [migrate];
    return live as unknown as KubeObject;
  }
  const before = () => (liveDeployment() as unknown as { spec: { template: KubeObject } }).spec.template;
  const rollbackTo = (template: KubeObject, previousTemplates: KubeObject[]) =>
    scopeLock({
      target: policyTarget,
      live: released(),
      proposed: patched([{ op: 'replace', path: '/spec/template', value: template }], released()),
      policy: policyConfig(),
      previousTemplates,
    });

  it('lets a template equal to an earlier revision remove the init container or a sidecar', () => {
    expect(rollbackTo(before(), [before()])).toEqual([]);
    const noSidecar = before() as unknown as Tpl;
    noSidecar.spec.containers = noSidecar.spec.containers.slice(0, 1);
    expect(rollbackTo(noSidecar as unknown as KubeObject, [noSidecar as unknown as KubeObject])).toEqual([]);
  });

  it('refuses the same removal when no revision had that template, and never adds containers', () => {
    expect(rollbackTo(before(), [])).toEqual([
      'init containers must not be added, removed, renamed or reordered: live has [migrate], the change has [] (scope lock)',
    ]);
    const extra = before() as unknown as Tpl;
    extra.spec.containers.push({ name: 'miner' });
    expect(rollbackTo(extra as unknown as KubeObject, [extra as unknown as KubeObject])).toContainEqual(
      expect.stringMatching(/^containers must not be added, removed, renamed or reordered/),
    );
  });

  it('still judges every kept container by name: a field outside the allow-list is refused', () => {
    const t = before() as unknown as { spec: { containers: Array<Record<string, unknown>> } };
    t.spec.containers = t.spec.containers.slice(0, 1);
    t.spec.containers[0]!.securityContext = { runAsUser: 0 };
    t.spec.containers[0]!.lifecycle = { postStart: { exec: { command: ['sh', '-c', 'id'] } } };
    const v = rollbackTo(t as unknown as KubeObject, [t as unknown as KubeObject]);
    expect(v).toContainEqual(expect.stringMatching(/^container app: securityContext must not change/));
    expect(v).toContainEqual(expect.stringMatching(/^container app: lifecycle must not change/));
  });
});
