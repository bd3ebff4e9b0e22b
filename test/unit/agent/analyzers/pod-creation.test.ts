// Pods the controller cannot create (FailedCreate) for reasons other than quota: named precisely, with the human action.
import { describe, expect, it } from 'vitest';
import { parseCreationRefusal, podCreation } from '../../../../src/agent/analyzers/pod-creation.js';
import {
  diagnoseEvidence,
  event,
  evidenceFrom,
  singleRevision,
  webContainer,
} from '../../../fixtures/index.js';

const SA =
  'pods "web-5d8c9f7b6d-" is forbidden: error looking up service account shop/builder: serviceaccount "builder" not found';
const PSS =
  'pods "web-5d8c9f7b6d-x7k2p" is forbidden: violates PodSecurity "baseline:latest": privileged (container "web" must not set securityContext.privileged=true)';
const WEBHOOK =
  'admission webhook "validate.kyverno.svc-fail" denied the request: policy Deployment/shop/web for resource violation: disallow-latest-tag';
const QUOTA =
  'pods "web-x" is forbidden: exceeded quota: compute, requested: limits.memory=512Mi, used: limits.memory=1Gi, limited: limits.memory=1Gi';

/** No pod could be created; the ReplicaSet's FailedCreate event carries `refusal`. */
function refused(refusal: string) {
  const e = singleRevision(
    {
      containers: [webContainer('nginx:1.27')],
      replicaFailure: refusal,
      status: { replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0 },
    },
    () => [],
    0,
  );
  const rs = e.replicaSets![0]!;
  return evidenceFrom({
    ...e,
    pods: [],
    events: [event(rs, 'FailedCreate', `Error creating: ${refusal}`, { count: 9 })],
  });
}

describe('pod creation refusals', () => {
  it('reads the ServiceAccount, PodSecurity and webhook refusals, and leaves quota to its analyzer', () => {
    expect(parseCreationRefusal(SA, 'shop')).toMatchObject({
      category: 'missing_config',
      facts: { kind: 'ServiceAccount', name: 'builder', namespace: 'shop' },
    });
    expect(parseCreationRefusal(PSS, 'shop')).toMatchObject({
      category: 'unknown',
      facts: { admission: 'pod_security', level: 'baseline' },
    });
    expect(parseCreationRefusal(WEBHOOK, 'shop')).toMatchObject({
      facts: { admission: 'webhook', webhook: 'validate.kyverno.svc-fail' },
    });
    expect(parseCreationRefusal(QUOTA, 'shop')).toBeNull();
    expect(parseCreationRefusal('pods "x" is forbidden: something new', 'shop')).toMatchObject({
      facts: { admission: 'other' },
    });
  });

  it('a missing ServiceAccount: missing_config, the controller quoted, a person creates it', () => {
    const evidence = refused(SA);
    const [f] = podCreation.analyze(evidence);
    expect(f).toMatchObject({ severity: 'critical', category: 'missing_config' });
    expect(f!.evidence.join('\n')).toContain('serviceaccount "builder" not found');
    const d = diagnoseEvidence(evidence);
    expect(d.category).toBe('missing_config');
    expect(d.change).toBeNull();
    expect(d.humanAction).toContain('Create ServiceAccount `builder` in namespace `shop`');
  });

  it('PodSecurity and webhook refusals name the rule and never propose relaxing it', () => {
    const pss = diagnoseEvidence(refused(PSS));
    expect(pss.rootCause).toContain('enforces PodSecurity "baseline"');
    expect(pss.humanAction).toContain('Make the pod template meet PodSecurity `baseline`');
    expect(pss.change).toBeNull();
    const hook = diagnoseEvidence(refused(WEBHOOK));
    expect(hook.humanAction).toContain('admission webhook `validate.kyverno.svc-fail`');
  });
});
