// Startup budgets raised within a cap, liveness kills, stalled and paused rollouts, Services without endpoints.
import { policyConfig } from '../../../../fixtures/policy-fixtures.js';
import { describe, it, expect } from 'vitest';
import { probeFailure } from '../../../../../src/agent/analyzers/probe-failure.js';
import { rolloutProgress } from '../../../../../src/agent/analyzers/rollout-progress.js';
import { serviceEndpoints } from '../../../../../src/agent/analyzers/service-endpoints.js';
import {
  MAX_STARTUP_BUDGET_SECONDS,
  nextFailureThreshold,
} from '../../../../../src/agent/diagnose/rules/startup-budget-fix.js';
import type { Evidence } from '../../../../../src/domain/index.js';
import {
  containerStatus,
  deployment,
  event,
  evidenceFrom,
  rolloutOf,
  running,
  scenarios,
  service,
  singleRevision,
  statuses,
  terminated,
  waiting,
  webContainer,
  diagnoseEvidence,
} from '../../../../fixtures/index.js';

const POLICY = policyConfig();
const diagnose = (evidence: Evidence) => diagnoseEvidence(evidence, POLICY);

const STARTUP_REFUSED =
  'Startup probe failed: Get "http://10.244.0.5:8080/actuator/health/liveness": dial tcp 10.244.0.5:8080: connect: connection refused';

function slowStarter(failureThreshold: number, periodSeconds = 10): Evidence {
  const c = {
    name: 'checkout',
    image: 'acme/checkout:2.3.1',
    ports: [{ containerPort: 8080, name: 'http' }],
    startupProbe: {
      httpGet: { path: '/actuator/health/liveness', port: 8080 },
      failureThreshold,
      periodSeconds,
    },
  };
  const input = singleRevision(
    { name: 'checkout', containers: [c] },
    (p) => [
      containerStatus('checkout', c.image, {
        restartCount: 3,
        started: false,
        state: waiting(
          'CrashLoopBackOff',
          `back-off 40s restarting failed container=checkout pod=${p}_shop(x)`,
        ),
        lastState: terminated('Error', 143),
      }),
    ],
    0,
  );
  const p = input.pods![0]!;
  return evidenceFrom({
    ...input,
    events: [
      event(p, 'Unhealthy', STARTUP_REFUSED, { count: 9 }),
      event(p, 'Killing', 'Container checkout failed startup probe, will be restarted', { count: 3 }),
    ],
  });
}

describe('startup probes too short for a slow start', () => {
  it('doubles the start-up budget with the failureThreshold, quoting the kubelet', () => {
    const evidence = slowStarter(3);
    const [f] = probeFailure.analyze(evidence);
    expect(f!.facts).toMatchObject({
      probe: 'startup',
      budgetSeconds: 30,
      failureKind: 'connection_refused',
    });
    expect(f!.evidence[0]).toContain(STARTUP_REFUSED);
    const d = diagnose(evidence);
    expect(d.category).toBe('probe_failure');
    expect(d.change?.patch).toEqual([
      { op: 'replace', path: '/spec/template/spec/containers/0/startupProbe/failureThreshold', value: 6 },
    ]);
    expect(d.change?.summary[0]).toContain('60 s to start instead of 30 s');
  });

  it('never grants more than the cap, and asks a human once there', () => {
    expect(nextFailureThreshold(10, 40)).toBe(MAX_STARTUP_BUDGET_SECONDS / 10);
    expect(nextFailureThreshold(10, 60)).toBeNull();
    const d = diagnose(slowStarter(60));
    expect(d.change).toBeNull();
    expect(d.humanAction).toContain(`(${MAX_STARTUP_BUDGET_SECONDS} s)`);
  });
});

describe('liveness killing a slow starter that has no startup probe', () => {
  const LIVENESS_REFUSED =
    'Liveness probe failed: Get "http://10.244.0.5:8080/actuator/health/liveness": dial tcp 10.244.0.5:8080: connect: connection refused';
  function livenessOnly(liveness: Record<string, unknown>): Evidence {
    const c = {
      name: 'ledger',
      image: 'acme/ledger:4.0.0',
      ports: [{ containerPort: 8080, name: 'http' }],
      livenessProbe: liveness,
    };
    const input = singleRevision(
      { name: 'ledger', containers: [c] },
      (p) => [statuses.crashLoopBackOff('ledger', c.image, p, { reason: 'Error', exitCode: 143 })],
      0,
    );
    const p = input.pods![0]!;
    return evidenceFrom({
      ...input,
      events: [
        event(p, 'Unhealthy', LIVENESS_REFUSED, { count: 9 }),
        event(p, 'Killing', 'Container ledger failed liveness probe, will be restarted', { count: 3 }),
      ],
    });
  }
  const http = { httpGet: { path: '/actuator/health/liveness', port: 'http' } };

  it('adds a startup probe on the liveness endpoint with twice the time liveness allowed', () => {
    const d = diagnose(
      livenessOnly({ ...http, periodSeconds: 10, failureThreshold: 3, initialDelaySeconds: 5 }),
    );
    expect(d.category).toBe('probe_failure');
    expect(d.change?.patch).toEqual([
      {
        op: 'add',
        path: '/spec/template/spec/containers/0/startupProbe',
        value: { ...http, periodSeconds: 10, failureThreshold: 7 },
      },
    ]);
    expect(d.change?.summary[0]).toContain('70 s to start');
  });

  it('not for an exec liveness probe, nor when the budget is already at the cap', () => {
    const exec = diagnose(
      livenessOnly({ exec: { command: ['true'] }, periodSeconds: 10, failureThreshold: 3 }),
    );
    expect(exec.change?.patch?.[0]?.path ?? '').not.toContain('startupProbe');
    const capped = diagnose(livenessOnly({ ...http, periodSeconds: 10, failureThreshold: 60 }));
    expect(capped.change?.patch?.[0]?.path ?? '').not.toContain('startupProbe');
  });
});

describe('liveness probes killing a running app', () => {
  it('points the liveness probe back at the declared port', () => {
    const c = webContainer('nginx:1.25', { livenessProbe: { httpGet: { path: '/', port: 8080 } } });
    const input = singleRevision(
      { containers: [c] },
      (p) => [statuses.crashLoopBackOff('web', c.image, p, { reason: 'Completed', exitCode: 0 })],
      0,
    );
    const p = input.pods![0]!;
    const evidence = evidenceFrom({
      ...input,
      events: [
        event(
          p,
          'Unhealthy',
          'Liveness probe failed: Get "http://10.244.0.5:8080/": dial tcp 10.244.0.5:8080: connect: connection refused',
          { count: 6 },
        ),
        event(p, 'Killing', 'Container web failed liveness probe, will be restarted', { count: 2 }),
      ],
    });
    const d = diagnose(evidence);
    expect(d.category).toBe('probe_failure');
    expect(d.change?.patch).toEqual([
      { op: 'replace', path: '/spec/template/spec/containers/0/livenessProbe/httpGet/port', value: 80 },
    ]);
  });

  it('returns to the previous healthy probe when a rollout changed it', () => {
    const before = webContainer('nginx:1.25', { livenessProbe: { httpGet: { path: '/', port: 80 } } });
    const after = webContainer('nginx:1.25', { livenessProbe: { httpGet: { path: '/healthz', port: 80 } } });
    const input = rolloutOf({ containers: [before] }, { containers: [after] }, () => [
      containerStatus('web', after.image, {
        restartCount: 4,
        state: running(1),
        lastState: terminated('Completed', 0),
      }),
    ]);
    const p = input.pods![input.pods!.length - 1]!;
    const evidence = evidenceFrom({
      ...input,
      events: [
        event(p, 'Unhealthy', 'Liveness probe failed: HTTP probe failed with statuscode: 404', { count: 12 }),
        event(p, 'Killing', 'Container web failed liveness probe, will be restarted', { count: 4 }),
      ],
    });
    const d = diagnose(evidence);
    expect(d.category).toBe('probe_failure');
    expect(d.change?.patch[0]).toMatchObject({ op: 'replace', path: '/spec/template' });
    expect(d.change?.summary.join(' ')).toContain('livenessProbe');
  });
});

describe('stalled rollouts and Services without endpoints', () => {
  it('reports a rollout past its progress deadline, quoting the controller, and still rolls back', () => {
    const input = scenarios.imagePullRollout();
    const stuck = deployment({
      containers: [webContainer('nginx:1.99')],
      replicas: 3,
      revision: 2,
      newReplicaSet: 'web-7d9f8c6b5d',
      progressDeadlineExceeded: true,
      status: { replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 },
    });
    const evidence = evidenceFrom({ ...input, deployment: stuck, events: [] });
    const [f] = rolloutProgress.analyze(evidence);
    expect(f).toMatchObject({ category: 'unknown', severity: 'warning' });
    expect(f!.evidence).toEqual([
      'Progressing=False ProgressDeadlineExceeded: ReplicaSet "web-7d9f8c6b5d" has timed out progressing.',
    ]);
    expect(f!.message).toContain('progressDeadlineSeconds (600 s)');
    expect(diagnose(evidence).change?.patch[0]).toMatchObject({ path: '/spec/template' });
  });

  it('says a paused rollout is paused and how to resume it, changing nothing', () => {
    const d = deployment({ replicas: 2, status: { updatedReplicas: 0 } });
    (d.spec as Record<string, unknown>).paused = true;
    const evidence = evidenceFrom({ deployment: d });
    const [f] = rolloutProgress.analyze(evidence);
    expect(f!.facts.rollout).toBe('paused');
    const diagnosis = diagnose(evidence);
    expect(diagnosis.change).toBeNull();
    expect(diagnosis.humanAction).toContain('kubectl rollout resume deployment/web -n shop');
  });

  it('reports a selecting Service with no ready endpoints as the outage users see', () => {
    const input = scenarios.imagePull();
    const evidence = evidenceFrom({
      ...input,
      services: [service('web', 'shop', { app: 'web' }, [{ port: 80, targetPort: 80 }])],
    });
    const [f] = serviceEndpoints.analyze(evidence);
    expect(f!.message).toContain('Service web selects');
    expect(f!.facts).toMatchObject({ service: 'web', readyEndpoints: 0, notReadyEndpoints: 1 });
    const d = diagnose(evidence);
    expect(d.category).toBe('image_pull');
    expect(d.notes.join('\n')).toContain('Service web selects');
    expect(serviceEndpoints.analyze(evidenceFrom(scenarios.healthy()))).toEqual([]);
  });
});
