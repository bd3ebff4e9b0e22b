// DaemonSets: status mapped onto the replica view, revisions from ControllerRevisions, rollback, rollout rule, target grammar.
import { policyConfig } from '../../../../fixtures/policy-fixtures.js';
import { describe, it, expect } from 'vitest';
import { runAnalyzers } from '../../../../../src/agent/analyzers/registry.js';
import { diagnoseByRules } from '../../../../../src/agent/diagnose/rules/rules-engine.js';
import { parseTarget } from '../../../../../src/domain/index.js';
import { rolloutStatus } from '../../../../../src/k8s/rollout-status.js';
import {
  controllerRevision,
  daemonSet,
  daemonSetEvidence,
  event,
  pod,
  podTemplateSpec,
  statuses,
  type Json,
} from '../../../../fixtures/index.js';

const POLICY = policyConfig();
const GOOD = { name: 'agent', image: 'busybox:1.36', command: ['sleep', '3600'] };
const BAD = { name: 'agent', image: 'busybox:1.99', command: ['sleep', '3600'] };

/** A pod of revision `hash` on `node`, labelled as the DaemonSet controller labels it. */
function dsPod(hash: string, node: string, status: Json[]) {
  const template = podTemplateSpec({ app: 'node-agent', containers: [GOOD] });
  (template.metadata as Json).labels = { app: 'node-agent', 'controller-revision-hash': hash };
  const owner = { metadata: { name: 'node-agent', namespace: 'shop', uid: 'ds' }, spec: { template } };
  return pod(owner, { suffix: node.slice(-5).padStart(5, 'x'), containerStatuses: status, nodeName: node });
}

function badRollout() {
  const ds = daemonSet({
    containers: [BAD],
    generation: 2,
    status: { desired: 3, ready: 2, updated: 1, available: 2 },
  });
  const good = controllerRevision(
    ds,
    '6b7c8d9f5c',
    1,
    podTemplateSpec({ app: 'node-agent', containers: [GOOD] }),
  );
  const bad = controllerRevision(
    ds,
    '5f4e3d2c1b',
    2,
    podTemplateSpec({ app: 'node-agent', containers: [BAD] }),
  );
  const broken = dsPod('5f4e3d2c1b', 'kwok-node-0', [statuses.imagePullBackOff('agent', BAD.image)]);
  const pods = [
    dsPod('6b7c8d9f5c', 'kwok-node-1', [statuses.ready('agent', GOOD.image)]),
    dsPod('6b7c8d9f5c', 'kwok-node-2', [statuses.ready('agent', GOOD.image)]),
    broken,
  ];
  const events = [
    event(
      broken,
      'Failed',
      `Failed to pull image "${BAD.image}": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/busybox:1.99": docker.io/library/busybox:1.99: not found`,
    ),
  ];
  return daemonSetEvidence(ds, [good, bad], pods, events);
}

describe('DaemonSet', () => {
  it('parses ds/<name> and daemonset/<name>', () => {
    expect(parseTarget('ds/node-agent', 'shop')).toEqual({
      kind: 'DaemonSet',
      name: 'node-agent',
      namespace: 'shop',
    });
    expect(parseTarget('daemonset/node-agent', 'shop').kind).toBe('DaemonSet');
  });

  it('reads revisions from ControllerRevisions (highest is current, `$patch` dropped)', () => {
    const e = badRollout();
    expect(e.status).toMatchObject({
      replicas: 3,
      readyReplicas: 2,
      updatedReplicas: 1,
      availableReplicas: 2,
    });
    expect(e.revisions.map((r) => [r.revision, r.current, r.readyReplicas])).toEqual([
      [2, true, 0],
      [1, false, 2],
    ]);
    expect(e.revisions[1]!.template).not.toHaveProperty('$patch');
  });

  it('rolls a bad DaemonSet rollout back to the last healthy revision', () => {
    const evidence = badRollout();
    const d = diagnoseByRules({
      evidence,
      findings: runAnalyzers(evidence),
      previousAttempts: [],
      policy: POLICY,
    });
    expect(d.category).toBe('image_pull');
    expect(d.change?.patch).toHaveLength(1);
    expect(d.change?.patch[0]).toMatchObject({ op: 'replace', path: '/spec/template' });
    const value = d.change?.patch[0]?.value as Json;
    expect(JSON.stringify(value)).toContain('busybox:1.36');
    expect(d.change?.summary[0]).toContain('revision 1 (node-agent-6b7c8d9f5c, 2/2 pods ready)');
  });

  it('counts a rollout done only when every node runs an updated, available pod', () => {
    const ds = (updated: number, available: number) =>
      daemonSet({
        containers: [GOOD],
        generation: 3,
        status: { desired: 3, ready: available, updated, available },
      });
    expect(rolloutStatus(ds(1, 2), 3)).toMatchObject({
      done: false,
      message: '1 of 3 updated pods are scheduled',
    });
    expect(rolloutStatus(ds(3, 2), 3)).toMatchObject({
      done: false,
      message: '2 of 3 updated pods are available',
    });
    expect(rolloutStatus(ds(3, 3), 3)).toMatchObject({ done: true });
    expect(rolloutStatus(ds(3, 3), 4).done).toBe(false);
  });
});
