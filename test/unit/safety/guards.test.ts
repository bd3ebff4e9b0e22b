// Guards: a change that drops or loosens scheduling constraints or probes is flagged; a probe budget past the cap is refused.
import { describe, expect, it } from 'vitest';
import type { KubeObject, PatchOp } from '../../../src/domain/index.js';
import { guards, MAX_PROBE_BUDGET_SECONDS, probeBudgetSeconds } from '../../../src/safety/guards.js';
import { guardedDeployment, patched, policyConfig, policyTarget } from '../../fixtures/policy-fixtures.js';

const T = '/spec/template/spec';
const C0 = `${T}/containers/0`;

function judge(ops: PatchOp[], live: KubeObject = guardedDeployment(), previous: KubeObject[] = []) {
  return guards({
    target: policyTarget,
    live,
    proposed: patched(ops, live),
    policy: policyConfig(),
    previousTemplates: previous,
  });
}

describe('guards flag what a change takes away', () => {
  it.each<[string, PatchOp[], RegExp]>([
    [
      'a node selector entry removed',
      [{ op: 'remove', path: `${T}/nodeSelector/pool` }],
      /nodeSelector pool=web is removed/,
    ],
    [
      'a node selector changed',
      [{ op: 'replace', path: `${T}/nodeSelector/pool`, value: 'batch' }],
      /nodeSelector pool changes from web to batch/,
    ],
    [
      'the whole node selector removed',
      [{ op: 'remove', path: `${T}/nodeSelector` }],
      /kubernetes\.io\/arch=amd64 is removed/,
    ],
    [
      'a term ORed into required node affinity',
      [
        {
          op: 'add',
          path: `${T}/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/-`,
          value: { matchExpressions: [{ key: 'pool', operator: 'Exists' }] },
        },
      ],
      /required node affinity is loosened/,
    ],
    [
      'required node affinity removed',
      [{ op: 'remove', path: `${T}/affinity/nodeAffinity` }],
      /becomes nothing/,
    ],
    [
      'required anti-affinity removed',
      [
        {
          op: 'remove',
          path: `${T}/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution`,
        },
      ],
      /required pod anti-affinity term .* is removed or loosened/,
    ],
    [
      'anti-affinity widened from hostname to region',
      [
        {
          op: 'replace',
          path: `${T}/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/0/topologyKey`,
          value: 'topology.kubernetes.io/region',
        },
      ],
      /required pod anti-affinity term/,
    ],
    [
      'topology spread made a preference',
      [
        {
          op: 'replace',
          path: `${T}/topologySpreadConstraints/0/whenUnsatisfiable`,
          value: 'ScheduleAnyway',
        },
      ],
      /topology spread constraint/,
    ],
    [
      'a toleration for every effect of a key',
      [
        {
          op: 'add',
          path: `${T}/tolerations/-`,
          value: { key: 'node.kubernetes.io/unreachable', operator: 'Exists' },
        },
      ],
      /new toleration \(node\.kubernetes\.io\/unreachable, any value, every effect\).*indefinitely/,
    ],
    [
      'a NoExecute toleration made to stay forever',
      [
        {
          op: 'add',
          path: `${T}/tolerations/-`,
          value: { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
        },
      ],
      /stay on such nodes indefinitely/,
    ],
    [
      'the liveness probe removed',
      [{ op: 'remove', path: `${C0}/livenessProbe` }],
      /livenessProbe is removed: a hung container is no longer restarted/,
    ],
    [
      'the readiness probe removed',
      [{ op: 'remove', path: `${C0}/readinessProbe` }],
      /pods that cannot serve keep receiving traffic/,
    ],
    [
      'the liveness probe checks a port instead of a path',
      [
        {
          op: 'replace',
          path: `${C0}/livenessProbe`,
          value: { tcpSocket: { port: 8080 }, periodSeconds: 10 },
        },
      ],
      /livenessProbe checks by tcpSocket instead of httpGet/,
    ],
    [
      'a probe moved to a port the container does not declare',
      [{ op: 'replace', path: `${C0}/livenessProbe/httpGet/port`, value: 9999 }],
      /livenessProbe now checks port 9999, which the container does not declare/,
    ],
  ])('%s', (_name, ops, flag) => {
    const r = judge(ops);
    expect(r.violations).toEqual([]);
    expect(r.flags.join('\n')).toMatch(flag);
  });

  it('flags a preferred node or pod affinity term dropped: the scheduler no longer steers the pods', () => {
    const preference = {
      weight: 50,
      preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] },
    };
    const near = {
      weight: 20,
      podAffinityTerm: { labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'zone' },
    };
    const live = patched(
      [
        {
          op: 'add',
          path: `${T}/affinity/nodeAffinity/preferredDuringSchedulingIgnoredDuringExecution`,
          value: [preference],
        },
        {
          op: 'add',
          path: `${T}/affinity/podAffinity`,
          value: { preferredDuringSchedulingIgnoredDuringExecution: [near] },
        },
      ],
      guardedDeployment(),
    );
    const r = judge(
      [
        { op: 'remove', path: `${T}/affinity/nodeAffinity/preferredDuringSchedulingIgnoredDuringExecution` },
        { op: 'remove', path: `${T}/affinity/podAffinity` },
      ],
      live,
    );
    expect(r.violations).toEqual([]);
    expect(r.flags).toEqual([
      `pods: preferred pod affinity term ${JSON.stringify(near)} is removed or loosened: the scheduler no longer prefers the nodes or pods it was steered to`,
      `pods: preferred node affinity term ${JSON.stringify(preference)} is removed or loosened: the scheduler no longer prefers the nodes or pods it was steered to`,
    ]);
  });

  it('refuses a probe that would let a failing container run past the cap, naming both budgets', () => {
    const r = judge([{ op: 'replace', path: `${C0}/livenessProbe/failureThreshold`, value: 1000 }]);
    expect(r.violations).toEqual([
      `container app: livenessProbe would let a failing container go on for 10005 s before the kubelet acts (was 35 s); at most ${MAX_PROBE_BUDGET_SECONDS} s`,
    ]);
  });

  it('counts a timeout longer than the period, and the initial delay', () => {
    expect(
      probeBudgetSeconds({
        periodSeconds: 5,
        timeoutSeconds: 30,
        failureThreshold: 3,
        initialDelaySeconds: 7,
      }),
    ).toBe(97);
    expect(probeBudgetSeconds({})).toBe(30);
  });
});

describe('guards pass what keeps or tightens them', () => {
  it.each<[string, PatchOp[]]>([
    ['a node selector added', [{ op: 'add', path: `${T}/nodeSelector/disk`, value: 'ssd' }]],
    [
      'an expression ANDed into the required term',
      [
        {
          op: 'add',
          path: `${T}/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions/-`,
          value: { key: 'disk', operator: 'In', values: ['ssd'] },
        },
      ],
    ],
    ['a toleration removed', [{ op: 'remove', path: `${T}/tolerations/0` }]],
    [
      'the startup budget doubled within the cap',
      [{ op: 'replace', path: `${C0}/startupProbe/failureThreshold`, value: 60 }],
    ],
    ['a probe path fixed', [{ op: 'replace', path: `${C0}/readinessProbe/httpGet/path`, value: '/healthz' }]],
    [
      'a startup probe added within the cap',
      [
        {
          op: 'add',
          path: `${C0}/startupProbe`,
          value: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10, failureThreshold: 12 },
        },
      ],
    ],
  ])('%s', (_name, ops) => {
    expect(judge(ops)).toEqual({ violations: [], flags: [] });
  });

  it("passes the whole template of an earlier revision: its placement and probes were the owner's", () => {
    const live = guardedDeployment();
    const older = structuredClone((live as { spec: { template: KubeObject } }).spec.template) as {
      spec: Record<string, unknown>;
    };
    delete older.spec.affinity;
    delete older.spec.nodeSelector;
    expect(
      judge([{ op: 'replace', path: '/spec/template', value: older }], live, [older as KubeObject]),
    ).toEqual({
      violations: [],
      flags: [],
    });
  });
});
