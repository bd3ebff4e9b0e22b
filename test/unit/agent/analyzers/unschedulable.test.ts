// unschedulable analyzer: scheduler verdicts, requests vs the largest node, nodeSelector and taint mismatches.
import { describe, it, expect } from 'vitest';
import { parseSchedulerMessage } from '../../../../src/agent/analyzers/scheduler-message.js';
import { unschedulable } from '../../../../src/agent/analyzers/unschedulable.js';
import {
  deployment,
  event,
  evidenceFrom,
  node,
  pod,
  replicaSet,
  scenarios,
  webContainer,
  type DeploymentInput,
  type EvidenceInput,
} from '../../../fixtures/index.js';

const PREEMPTION = ' preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';

function pending(
  message: string,
  d: DeploymentInput,
  nodes = ['worker-1', 'worker-2', 'worker-3'].map((n) => node(n)),
  withEvent = true,
): EvidenceInput {
  const dep = deployment({
    ...d,
    status: { replicas: 1, updatedReplicas: 1, readyReplicas: 0, availableReplicas: 0 },
  });
  const rs = replicaSet(dep, { hash: '5d8c9f7b6d', revision: 1, replicas: 1 });
  const p = pod(rs, { suffix: 'x7k2p', unschedulable: message });
  return {
    deployment: dep,
    replicaSets: [rs],
    pods: [p],
    nodes,
    events: withEvent ? [event(p, 'FailedScheduling', message, { count: 4 })] : [],
  };
}

describe('unschedulable', () => {
  it('compares the memory request with the largest node', () => {
    const [f, ...rest] = unschedulable.analyze(evidenceFrom(scenarios.unschedulableMemory()));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ category: 'unschedulable', severity: 'critical', container: null });
    expect(f!.facts).toMatchObject({
      reasons: 'insufficient_memory',
      nodesTotal: 3,
      insufficient: 'memory',
      requestedMemory: '8Gi',
      requestedCpu: '250m',
      largestAllocatableMemory: '3831Mi',
      largestAllocatableCpu: '2',
      fitsLargestNode: false,
      signal: 'explicit',
    });
    expect(f!.evidence[0]).toBe(
      '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
    expect(f!.message).toBe(
      'Pod web-5d8c9f7b6d-x7k2p cannot be scheduled: 3/3 nodes lack memory for its 8Gi request (largest node allocatable 3831Mi).',
    );
  });

  it("reads the count when the scheduler runs another sentence on (as the sandbox's v1.36 does)", () => {
    const v = parseSchedulerMessage(
      '0/3 nodes are available: 3 Insufficient memory. no new claims to deallocate, preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    );
    expect(v).toMatchObject({ nodesTotal: 3, insufficient: { memory: 3 } });
  });

  it('reports a nodeSelector no node matches', () => {
    const msg = `0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.${PREEMPTION}`;
    const [f] = unschedulable.analyze(
      evidenceFrom(
        pending(msg, { containers: [webContainer('nginx:1.25')], nodeSelector: { disktype: 'ssd' } }),
      ),
    );
    expect(f!.facts).toMatchObject({
      reasons: 'node_selector',
      nodeSelector: 'disktype=ssd',
      matchingNodes: 0,
    });
  });

  it('reports node affinity no node satisfies', () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['eu-west-1c'] },
              ],
            },
          ],
        },
      },
    };
    const msg = `0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.${PREEMPTION}`;
    const [f] = unschedulable.analyze(
      evidenceFrom(pending(msg, { containers: [webContainer('nginx:1.25')], affinity })),
    );
    expect(f!.facts).toMatchObject({ reasons: 'node_selector', nodeSelector: null, hasAffinity: true });
    expect(f!.message).toBe(
      'Pod web-5d8c9f7b6d-x7k2p cannot be scheduled: 3/3 nodes do not match its node affinity.',
    );
  });

  it('lists the taints the pod does not tolerate', () => {
    const nodes = [
      node('cp-1', { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }),
      node('gpu-1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      node('gpu-2', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    ];
    const msg = `0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) had untolerated taint {dedicated: gpu}.${PREEMPTION}`;
    const tolerations = [
      { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
    ];
    const [f] = unschedulable.analyze(
      evidenceFrom(pending(msg, { containers: [webContainer('nginx:1.25')], tolerations }, nodes)),
    );
    expect(f!.facts).toMatchObject({ reasons: 'taint', untoleratedTaints: 'dedicated=gpu:NoSchedule' });
  });

  it('works from the pod condition alone when events were not readable', () => {
    const msg = '0/3 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.';
    const [f] = unschedulable.analyze(
      evidenceFrom(
        pending(
          msg,
          {
            containers: [
              webContainer('nginx:1.25', { resources: { requests: { cpu: '3', memory: '6Gi' } } }),
            ],
          },
          undefined,
          false,
        ),
      ),
    );
    expect(f!.facts).toMatchObject({
      reasons: 'insufficient_cpu,insufficient_memory',
      requestedCpu: '3',
      sources: 'nodes,spec,status',
    });
  });

  it.each([
    ['a healthy workload', scenarios.healthy()],
    ['an image pull failure', scenarios.imagePull()],
  ])('finds nothing in %s', (_label, input) => {
    expect(unschedulable.analyze(evidenceFrom(input))).toEqual([]);
  });

  it('ignores pending pods that are being deleted', () => {
    const input = scenarios.unschedulableMemory();
    const rs = input.replicaSets![0]!;
    const dying = { ...pod(rs, { suffix: 'x7k2p', unschedulable: 'x' }) };
    (dying.metadata as Record<string, unknown>).deletionTimestamp = '2026-11-27T10:29:00Z';
    expect(unschedulable.analyze(evidenceFrom({ ...input, pods: [dying] }))).toEqual([]);
  });

  it('sums the requests of all containers of the pod', () => {
    const containers = [
      webContainer('nginx:1.25', { resources: { requests: { memory: '3Gi' } } }),
      { name: 'sidecar', image: 'envoyproxy/envoy:v1.31.0', resources: { limits: { memory: '1536Mi' } } },
    ];
    const [f] = unschedulable.analyze(
      evidenceFrom(pending('0/3 nodes are available: 3 Insufficient memory.', { containers })),
    );
    expect(f!.facts.requestedMemory).toBe('4608Mi');
  });

  it.each([
    [
      '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      { nodesTotal: 3, insufficient: { memory: 3 } },
    ],
    [
      "0/5 nodes are available: 2 Insufficient cpu, 3 node(s) didn't match Pod's node affinity/selector.",
      { nodesTotal: 5, insufficient: { cpu: 2 }, selectorMismatch: 3 },
    ],
    ['0/1 nodes are available: 1 node(s) were unschedulable.', { cordoned: 1 }],
    ['0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.', { unboundPvc: true }],
  ])('parses %j', (message, expected) => {
    expect(parseSchedulerMessage(message)).toMatchObject(expected);
  });
});
