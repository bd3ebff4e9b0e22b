// volumeClaims analyzer and rule engine: PersistentVolumeClaims left Pending, with the PV controller's reason and the human action.
import { policyConfig } from '../../../fixtures/policy-fixtures.js';
import { describe, it, expect } from 'vitest';
import { runAnalyzers } from '../../../../src/agent/analyzers/registry.js';
import { classifyClaim, volumeClaims } from '../../../../src/agent/analyzers/volume-claims.js';
import { diagnoseByRules } from '../../../../src/agent/diagnose/rules/rules-engine.js';
import {
  deployment,
  event,
  evidenceFrom,
  persistentVolumeClaim,
  pod,
  replicaSet,
} from '../../../fixtures/index.js';

const NO_CLASS = 'no persistent volumes available for this claim and no storage class is set';
const UNKNOWN_CLASS = 'storageclass.storage.k8s.io "fast-ssd" not found';
const EXTERNAL =
  "Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.";
const UNBOUND =
  '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';

function withClaim(claimEvent: { reason: string; message: string } | null, storageClassName?: string) {
  const d = deployment({
    name: 'db',
    containers: [{ name: 'db', image: 'postgres:16' }],
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'db-data' } }],
    status: { readyReplicas: 0, availableReplicas: 0 },
  });
  const rs = replicaSet(d, { hash: '5d8c9f7b6d', revision: 1, replicas: 1 });
  const p = pod(rs, { suffix: 'x7k2p', unschedulable: UNBOUND });
  const pvc = persistentVolumeClaim('db-data', 'shop', storageClassName ? { storageClassName } : {});
  return evidenceFrom({
    deployment: d,
    replicaSets: [rs],
    pods: [p],
    pvcs: [pvc],
    events: [
      event(p, 'FailedScheduling', UNBOUND, { count: 3 }),
      ...(claimEvent ? [event(pvc, claimEvent.reason, claimEvent.message, { count: 7 })] : []),
    ],
  });
}

const POLICY = policyConfig();

describe('volumeClaims', () => {
  it('names a claim with no StorageClass and quotes the PV controller', () => {
    const [f, ...rest] = volumeClaims.analyze(withClaim({ reason: 'FailedBinding', message: NO_CLASS }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ category: 'unschedulable', severity: 'critical', container: null });
    expect(f!.facts).toMatchObject({
      claim: 'db-data',
      claimPhase: 'Pending',
      storageClass: null,
      claimProblem: 'no_storage_class',
      signal: 'explicit',
    });
    expect(f!.evidence).toContain(`FailedBinding: ${NO_CLASS}`);
    expect(f!.evidence).toContain(UNBOUND);
  });

  it('tells an unknown StorageClass from a missing provisioner', () => {
    const unknown = volumeClaims.analyze(
      withClaim({ reason: 'ProvisioningFailed', message: UNKNOWN_CLASS }, 'fast-ssd'),
    );
    expect(unknown[0]!.facts).toMatchObject({
      claimProblem: 'unknown_storage_class',
      storageClass: 'fast-ssd',
    });
    const external = volumeClaims.analyze(
      withClaim({ reason: 'ExternalProvisioning', message: EXTERNAL }, 'gp3'),
    );
    expect(external[0]!.facts.claimProblem).toBe('no_provisioner');
    expect(classifyClaim(['waiting for first consumer to be created before binding'])).toBe(
      'waiting_for_consumer',
    );
    expect(classifyClaim([])).toBe('pending');
  });

  it('is silent for a Bound claim and for a missing one (missing_config covers that)', () => {
    const e = withClaim(null);
    const bound = { ...e, references: e.references.map((r) => ({ ...r, claimPhase: 'Bound' })) };
    expect(volumeClaims.analyze(bound)).toEqual([]);
    const missing = {
      ...e,
      references: e.references.map((r) => ({ ...r, exists: false, claimPhase: null })),
    };
    expect(volumeClaims.analyze(missing)).toEqual([]);
  });

  it('makes the rule engine name the claim and the exact human action, with no change', () => {
    const evidence = withClaim({ reason: 'ProvisioningFailed', message: UNKNOWN_CLASS }, 'fast-ssd');
    const d = diagnoseByRules({
      evidence,
      findings: runAnalyzers(evidence),
      previousAttempts: [],
      policy: POLICY,
    });
    expect(d.category).toBe('unschedulable');
    expect(d.change).toBeNull();
    expect(d.rootCause).toContain('PersistentVolumeClaim db-data');
    expect(d.humanAction).toContain('StorageClass `fast-ssd` does not exist');
  });
});
