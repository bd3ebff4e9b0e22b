// Tracking never breaks an investigation: 500, 401, a closed port or a slow server → quick, one warning, no throw.
import { afterEach, describe, expect, it } from 'vitest';
import { createMlflowTracker } from '../../../src/tracking/mlflow-tracker.js';
import { NoopTracker } from '../../../src/tracking/no-op-tracker.js';
import type { InvestigationRun, Tracker } from '../../../src/tracking/tracker.js';
import type { TrackingWarning } from '../../../src/tracking/tracking-guard.js';
import {
  closedPort,
  mlflowError,
  startMlflowFailureServer,
  type MlflowFailureServer,
  type StandInAnswer,
} from '../../../tools/stand-ins/mlflow-failure-server.js';

const info = {
  target: { kind: 'Deployment', name: 'web', namespace: 'shop' },
  engine: 'rules',
  model: 'rules',
  maxIterations: 3,
  policyLevel: 'baseline',
  agentVersion: '0.1.0',
  requestedBy: 'U1',
  channel: 'C1',
};
const config = (uri: string): Parameters<typeof createMlflowTracker>[0] => ({
  trackingUri: uri,
  experimentName: 'kube-autofix',
  token: null,
  username: null,
  password: null,
});

let server: MlflowFailureServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** Everything the agent does in one investigation with an apply. */
async function investigate(tracker: Tracker): Promise<InvestigationRun> {
  const run = await tracker.startInvestigation(info);
  await run.logParams({ extra: 1 });
  const it1 = await run.startIteration(1);
  const span = it1.startSpan('collect', 'tool', { api_calls: 3 });
  span.setUsage({ model: 'm', promptTokens: 1, completionTokens: 2 });
  span.end();
  await it1.logMetrics({ collect_seconds: 0.2 }, 1);
  await it1.logArtifact('evidence.json', { a: 1 });
  await it1.end('FINISHED');
  const apply = await run.startApply();
  await apply.setTags({ 'autofix.decision': 'approved' });
  await apply.end('FINISHED');
  await run.setTags({ 'autofix.outcome': 'fixed' });
  await run.end('FINISHED');
  return run;
}

async function timed(tracker: Tracker): Promise<{ run: InvestigationRun; ms: number }> {
  const started = Date.now();
  const run = await investigate(tracker);
  return { run, ms: Date.now() - started };
}

describe('MlflowTracker when MLflow fails', () => {
  it.each<[string, StandInAnswer]>([
    ['answers 500', mlflowError(500, 'INTERNAL_ERROR', 'database is locked')],
    ['answers 401', mlflowError(401, 'UNAUTHENTICATED', 'bad credentials')],
    ['answers 403', mlflowError(403, 'PERMISSION_DENIED')],
    ['is not MLflow (404 HTML)', { status: 404, body: '<html>nope</html>' }],
    ['answers a login page with 200', { status: 200, body: '<html>sign in</html>' }],
  ])('completes quickly with one warning when the server %s', async (_name, answer) => {
    server = await startMlflowFailureServer(() => answer);
    const seen: TrackingWarning[] = [];
    const tracker = createMlflowTracker(config(server.url), {
      onWarning: (w) => seen.push(w),
      http: { backoffMs: 5 },
    });
    const { run, ms } = await timed(tracker);
    expect(ms).toBeLessThan(5000);
    expect(run.runId).toBeNull();
    expect(run.runUrl).toBeNull();
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toMatch(/^MLflow tracking is off for this investigation/);
    expect(seen).toEqual([{ message: run.warnings[0], outage: true }]);
    // Only the first call reached the server (with its retries); everything after was skipped.
    expect(server.requests.length).toBeLessThanOrEqual(3);
  });

  it('completes quickly with one warning when nothing listens on the port', async () => {
    const port = await closedPort();
    const tracker = createMlflowTracker(config(`http://127.0.0.1:${port}`), { http: { backoffMs: 5 } });
    const { run, ms } = await timed(tracker);
    expect(ms).toBeLessThan(5000);
    expect(run.warnings).toHaveLength(1);
    expect(run.warnings[0]).toMatch(/unreachable/);
  });

  it('waits on a slow server once, within the deadline', async () => {
    server = await startMlflowFailureServer(() => ({ status: 200, body: {}, delayMs: 20_000 }));
    const tracker = createMlflowTracker(config(server.url), { http: { timeoutMs: 300 } });
    const { run, ms } = await timed(tracker);
    expect(ms).toBeLessThan(5000);
    expect(run.warnings).toEqual([expect.stringMatching(/did not answer within 300 ms/)]);
    expect(server.requests).toHaveLength(1);
  });

  it('skips MLflow for the next investigations during the cool-down, warning each once', async () => {
    server = await startMlflowFailureServer(() => mlflowError(503, 'TEMPORARILY_UNAVAILABLE'));
    const tracker = createMlflowTracker(config(server.url), { http: { backoffMs: 5 }, cooldownMs: 60_000 });
    const first = await investigate(tracker);
    const requestsAfterFirst = server.requests.length;
    const second = await investigate(tracker);
    expect(server.requests.length).toBe(requestsAfterFirst);
    expect(first.warnings).toHaveLength(1);
    expect(second.warnings).toHaveLength(1);
  });

  it('tries again after the cool-down', async () => {
    server = await startMlflowFailureServer(() => mlflowError(503, 'TEMPORARILY_UNAVAILABLE'));
    const tracker = createMlflowTracker(config(server.url), { http: { attempts: 1 }, cooldownMs: 0 });
    await (await tracker.startInvestigation(info)).settled();
    const before = server.requests.length;
    await (await tracker.startInvestigation(info)).settled();
    expect(server.requests.length).toBeGreaterThan(before);
  });

  it('resumeInvestigation of an unreachable server warns once and keeps working as a no-op', async () => {
    const port = await closedPort();
    const tracker = createMlflowTracker(config(`http://127.0.0.1:${port}`), { http: { backoffMs: 5 } });
    const run = await tracker.resumeInvestigation('0123456789abcdef0123456789abcdef');
    const apply = await run.startApply();
    await apply.logArtifact('apply.json', {});
    await apply.end('FINISHED');
    await run.end('FAILED');
    expect(run.warnings).toHaveLength(1);
    expect(apply.runId).toBeNull();
  });

  it('a throwing onWarning hook does not break the investigation', async () => {
    server = await startMlflowFailureServer(() => mlflowError(500, 'INTERNAL_ERROR'));
    const tracker = createMlflowTracker(config(server.url), {
      http: { backoffMs: 5 },
      onWarning: () => {
        throw new Error('metrics down');
      },
    });
    await expect(investigate(tracker)).resolves.toBeDefined();
  });
});

describe('MlflowTracker on a per-call failure', () => {
  it('warns once per distinct problem and keeps tracking the rest', async () => {
    // The run is created, but one log-batch is refused (as MLflow does when a param is rewritten).
    server = await startMlflowFailureServer((r) => {
      if (r.url.startsWith('/api/2.0/mlflow/experiments/get-by-name'))
        return {
          status: 200,
          body: { experiment: { experiment_id: '1', name: 'kube-autofix', lifecycle_stage: 'active' } },
        };
      if (r.url === '/api/2.0/mlflow/runs/create') {
        return {
          status: 200,
          body: {
            run: {
              info: {
                run_id: 'a'.repeat(32),
                experiment_id: '1',
                status: 'RUNNING',
                artifact_uri: 'mlflow-artifacts:/1/r/artifacts',
                lifecycle_stage: 'active',
              },
            },
          },
        };
      }
      if (r.url === '/api/2.0/mlflow/runs/log-batch' && /"value":"(other|again)"/.test(r.body))
        return mlflowError(400, 'INVALID_PARAMETER_VALUE', 'Changing param values is not allowed');
      return { status: 200, body: {} };
    });
    const tracker = createMlflowTracker(config(server.url), { http: { backoffMs: 5 } });
    const run = await tracker.startInvestigation(info);
    // The run is created beside the investigation: its id is known once that settles.
    await run.settled();
    expect(run.runId).toBe('a'.repeat(32));
    expect(run.runUrl).toBe(`${server.url}/#/experiments/1/runs/${'a'.repeat(32)}`);
    await run.logParams({ engine: 'other' });
    await run.logParams({ engine: 'again' });
    await run.setTags({ x: 'y' });
    await run.end('FINISHED');
    expect(run.warnings).toEqual([
      expect.stringContaining(
        'could not log params: MLflow POST /api/2.0/mlflow/runs/log-batch answered 400 INVALID_PARAMETER_VALUE',
      ),
    ]);
    const paths = server.requests.map((r) => r.url);
    expect(paths).toContain('/api/2.0/mlflow/runs/update');
    expect(paths).toContain('/v1/traces');
  });
});

describe('NoopTracker', () => {
  it('does nothing, with null run id and url', async () => {
    const run = await investigate(new NoopTracker());
    expect([run.runId, run.runUrl, run.warnings]).toEqual([null, null, []]);
    const resumed = await new NoopTracker().resumeInvestigation('x');
    expect((await resumed.startApply()).runId).toBeNull();
  });
});
