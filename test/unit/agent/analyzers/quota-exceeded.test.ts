// quota_exceeded analyzer: FailedCreate refusals by ResourceQuota or LimitRange, from events and the ReplicaFailure condition.
import { describe, it, expect } from 'vitest';
import { parseQuotaMessage, quotaExceeded } from '../../../../src/agent/analyzers/quota-exceeded.js';
import {
  event,
  evidenceFrom,
  limitRange,
  scenarios,
  singleRevision,
  webContainer,
  type EvidenceInput,
} from '../../../fixtures/index.js';

const NEW_POD = 'pods "web-7d9f8c6b5d-abcde" is forbidden';

/** A Deployment whose ReplicaSet cannot create its pod, refused with `message` (event and condition). */
function refusedWith(message: string, extra: Partial<EvidenceInput> = {}): EvidenceInput {
  const status = { replicas: 0, updatedReplicas: 0, readyReplicas: 0, availableReplicas: 0 };
  const input = singleRevision(
    { containers: [webContainer('nginx:1.25')], replicaFailure: message, status },
    () => [],
    0,
  );
  const rs = input.replicaSets![0]!;
  return {
    ...input,
    pods: [],
    events: [event(rs, 'FailedCreate', `Error creating: ${message}`, { count: 9 })],
    ...extra,
  };
}

describe('quotaExceeded', () => {
  it('reads quota, resource and amounts from an exceeded-quota refusal', () => {
    const [f, ...rest] = quotaExceeded.analyze(evidenceFrom(scenarios.quotaExceeded(false)));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ category: 'quota_exceeded', severity: 'critical', container: null });
    expect(f!.facts).toMatchObject({
      violation: 'exceeded',
      quota: 'compute',
      resource: 'limits.memory',
      requested: '512Mi',
      used: '1Gi',
      limited: '1Gi',
      namespace: 'shop',
      sources: 'events,quotas,status',
    });
    expect(f!.evidence[0]).toBe(
      `Error creating: ${NEW_POD}: exceeded quota: compute, requested: limits.memory=512Mi, used: limits.memory=1Gi, limited: limits.memory=1Gi`,
    );
  });

  it("reads the current revision's refusals during a rollout", () => {
    const [f] = quotaExceeded.analyze(evidenceFrom(scenarios.quotaExceeded(true)));
    expect(f!.facts.quota).toBe('compute');
    expect(f!.severity).toBe('critical');
  });

  it.each([
    [
      `${NEW_POD}: failed quota: compute: must specify limits.cpu for: web; limits.memory for: web`,
      { resources: 'limits.cpu,limits.memory', container: 'web' },
    ],
    [
      `${NEW_POD}: failed quota: compute: must specify limits.cpu,limits.memory`,
      { resources: 'limits.cpu,limits.memory', container: null },
    ],
  ])('reads a must-specify refusal: %s', (message, expected) => {
    const [f] = quotaExceeded.analyze(evidenceFrom(refusedWith(message)));
    expect(f!.facts).toMatchObject({ violation: 'must_specify', quota: 'compute', ...expected });
  });

  it('reads each LimitRange violation of one refusal', () => {
    const msg = `${NEW_POD}: [maximum cpu usage per Container is 500m, but limit is 1, maximum memory usage per Container is 1Gi, but limit is 2Gi]`;
    const findings = quotaExceeded.analyze(
      evidenceFrom(
        refusedWith(msg, {
          limitRanges: [
            limitRange('limits', 'shop', [{ type: 'Container', max: { cpu: '500m', memory: '1Gi' } }]),
          ],
        }),
      ),
    );
    expect(
      findings.map((f) => [f.facts.limitRange, f.facts.resource, f.facts.requested, f.facts.limited]),
    ).toEqual([
      ['limits', 'cpu', '1', '500m'],
      ['limits', 'memory', '2Gi', '1Gi'],
    ]);
  });

  it('finds nothing in a healthy workload', () => {
    expect(quotaExceeded.analyze(evidenceFrom(scenarios.healthy()))).toEqual([]);
  });

  it('reads a multi-resource refusal', () => {
    const [v] = parseQuotaMessage(
      `${NEW_POD}: exceeded quota: compute, requested: limits.memory=512Mi,requests.memory=256Mi, used: limits.memory=1Gi,requests.memory=512Mi, limited: limits.memory=1Gi,requests.memory=1Gi`,
      'shop',
      null,
    );
    expect(v!.facts).toMatchObject({
      resource: 'limits.memory',
      resources: 'limits.memory,requests.memory',
      requested: '512Mi',
    });
  });

  it('ignores messages that are not admission refusals', () => {
    expect(
      parseQuotaMessage(
        'Error creating: Internal error occurred: resource quota evaluation timed out',
        'shop',
        null,
      ),
    ).toEqual([]);
  });
});
