// Scheduling guard: node choices and pod (anti-)affinity terms are compared whole, list by list, not by key.
import { describe, expect, it } from 'vitest';
import type { KubeObject, PatchOp } from '../../../src/domain/index.js';
import { schedulingGuard } from '../../../src/safety/scheduling-guard.js';
import { liveDeployment, patched, policyConfig, policyTarget } from '../../fixtures/policy-fixtures.js';

const withAffinity = (affinity: unknown, nodeSelector?: Record<string, string>): KubeObject =>
  patched([
    { op: 'add', path: '/spec/template/spec/affinity', value: affinity },
    ...(nodeSelector
      ? [{ op: 'add', path: '/spec/template/spec/nodeSelector', value: nodeSelector } as PatchOp]
      : []),
  ] as PatchOp[]);
const guard = (live: KubeObject, proposed: KubeObject) =>
  schedulingGuard({ target: policyTarget, live, proposed, policy: policyConfig() });
const hostname = (operator: string, values: string[]) => ({
  requiredDuringSchedulingIgnoredDuringExecution: {
    nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator, values }] }],
  },
});
const dnsTerm = {
  labelSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  namespaces: ['kube-system'],
  topologyKey: 'kubernetes.io/hostname',
};

describe('scheduling guard', () => {
  it('refuses pinning to a named node even when live already mentions the hostname key (to avoid a node)', () => {
    const live = withAffinity({ nodeAffinity: hostname('NotIn', ['worker-3']) });
    expect(guard(liveDeployment(), live)).toEqual([]);
    expect(guard(live, withAffinity({ nodeAffinity: hostname('In', ['worker-1']) }))).toEqual([
      'selecting nodes by kubernetes.io/hostname pins the pods to named nodes; select by a role, zone or capacity label instead',
    ]);
  });

  it('refuses moving an existing hostname nodeSelector to another node', () => {
    const live = withAffinity({}, { 'kubernetes.io/hostname': 'worker-1' });
    expect(guard(live, live)).toEqual([]);
    expect(guard(live, withAffinity({}, { 'kubernetes.io/hostname': 'worker-9' }))).toHaveLength(1);
  });

  it('refuses making a live preferred affinity to another namespace required', () => {
    const live = withAffinity({
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: dnsTerm }],
      },
    });
    expect(guard(live, live)).toEqual([]);
    const required = withAffinity({
      podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [dnsTerm] },
    });
    expect(guard(live, required)).toEqual([
      "pod affinity to pods in namespace kube-system would co-locate with another namespace's pods; keep it to this namespace",
    ]);
  });

  it('refuses required anti-affinity reaching other namespaces; preferred anti-affinity only steers these pods', () => {
    const anti = (kind: string, term: unknown) =>
      withAffinity({
        podAntiAffinity: {
          [kind]: kind.startsWith('required') ? [term] : [{ weight: 10, podAffinityTerm: term }],
        },
      });
    expect(
      guard(liveDeployment(), anti('requiredDuringSchedulingIgnoredDuringExecution', dnsTerm)),
    ).toHaveLength(1);
    expect(guard(liveDeployment(), anti('preferredDuringSchedulingIgnoredDuringExecution', dnsTerm))).toEqual(
      [],
    );
  });
});
