// The investigation run: iteration metrics mirrored onto the parent at step n; child spans nest under their span.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MlflowClient } from '../../../src/tracking/mlflow-client.js';
import { unusedMlflowMethods } from '../../fixtures/unused-mlflow-methods.js';
import { createMlflowTracker } from '../../../src/tracking/mlflow-tracker.js';
import { decodeOtlpJson } from '../../../tools/stand-ins/otlp-collector.js';

/** An MLflow client that keeps what it is sent; run ids are run-0, run-1, … */
function recordingClient(): {
  client: MlflowClient;
  batches: [string, unknown][];
  created: { runName: string; startTime: number | undefined }[];
  spans: () => { name: string; spanId: string; parentSpanId: string | null }[];
} {
  const batches: [string, unknown][] = [];
  const exports: Uint8Array[] = [];
  const created: { runName: string; startTime: number | undefined }[] = [];
  let n = 0;
  const client: MlflowClient = {
    trackingUri: 'http://mlflow.test',
    getOrCreateExperiment: async () =>
      ({ experiment_id: '7', name: 'e', lifecycle_stage: 'active' }) as never,
    createRun: async (input) => {
      created.push({ runName: input.runName, startTime: input.startTime });
      return {
        run_id: `run-${n++}`,
        experiment_id: '7',
        status: 'RUNNING',
        artifact_uri: 'mlflow-artifacts:/7/x/artifacts',
        lifecycle_stage: 'active',
      };
    },
    getRun: async () => {
      throw new Error('unused');
    },
    updateRun: async () => undefined,
    logBatch: async (runId, batch) => void batches.push([runId, batch]),
    uploadArtifact: async () => undefined,
    listArtifacts: async () => [],
    downloadArtifact: async () => '',
    logInputs: async () => undefined,
    registerPromptVersion: async () => '1',
    findLoggedModel: async () => null,
    createLoggedModel: async () => 'm-1',
    exportTraces: async (_e, body) => void exports.push(body),
    linkTracesToRun: async () => undefined,
    setTraceTag: async () => undefined,
    runUrl: () => null,
    findExperiment: async () => null,
    searchRuns: async () => [],
    ...unusedMlflowMethods,
  };
  const spans = () => exports.flatMap((e) => decodeOtlpJson(Buffer.from(e).toString('utf8')));
  return { client, batches, created, spans };
}

const info = {
  target: { kind: 'Deployment', name: 'web', namespace: 'shop' },
  engine: 'rules',
  model: 'rules',
  maxIterations: 3,
  policyLevel: 'baseline',
  agentVersion: '0.1.0',
  requestedBy: null,
  channel: null,
};

describe('MlflowInvestigationRun', () => {
  afterEach(() => vi.restoreAllMocks());

  it('logs iteration metrics on the nested run and on the parent, at the iteration step, when the run ends', async () => {
    const { client, batches } = recordingClient();
    const run = await createMlflowTracker(
      { trackingUri: client.trackingUri, experimentName: 'e', token: null, username: null, password: null },
      { client },
    ).startInvestigation(info);
    const it2 = await run.startIteration(2);
    await it2.logMetrics({ confidence: 0.8 });
    await it2.logMetrics({ api_calls: 12 }, 2);
    // Nothing but the run's creation before the end: the bookkeeping is written in one go.
    expect(batches).toEqual([]);
    await run.end('FINISHED');
    const metrics = (runId: string) =>
      batches
        .filter(([id]) => id === runId)
        .flatMap(([, b]) => (b as { metrics?: { key: string; value: number; step: number }[] }).metrics ?? [])
        .map((m) => [m.key, m.value, m.step]);
    expect(metrics('run-1')).toEqual([
      ['confidence', 0.8, 2],
      ['api_calls', 12, 2],
    ]);
    expect(metrics('run-0')).toEqual([
      ['confidence', 0.8, 2],
      ['api_calls', 12, 2],
    ]);
    // One log-batch per run.
    expect(batches.map(([id]) => id).sort()).toEqual(['run-0', 'run-1']);
  });

  it('nested runs started in one millisecond still start in order (they are read back by start time)', async () => {
    const { client, created } = recordingClient();
    // One frozen millisecond: the tie happens every time, not only on a fast machine.
    vi.spyOn(Date, 'now').mockReturnValue(1_765_000_000_000);
    const run = await createMlflowTracker(
      { trackingUri: client.trackingUri, experimentName: 'e', token: null, username: null, password: null },
      { client },
    ).startInvestigation(info);
    for (const n of [1, 2, 3]) await (await run.startIteration(n)).end('FINISHED');
    await run.end('FINISHED');
    const nestedRuns = created.filter((c) => c.runName.startsWith('iteration-'));
    expect(nestedRuns.map((c) => c.runName)).toEqual(['iteration-1', 'iteration-2', 'iteration-3']);
    const starts = nestedRuns.map((c) => c.startTime!);
    expect(starts[1]!).toBeGreaterThan(starts[0]!);
    expect(starts[2]!).toBeGreaterThan(starts[1]!);
  });

  it('nests child spans under the span that started them', async () => {
    const { client, spans } = recordingClient();
    const run = await createMlflowTracker(
      { trackingUri: client.trackingUri, experimentName: 'e', token: null, username: null, password: null },
      { client },
    ).startInvestigation(info);
    const it1 = await run.startIteration(1);
    const validate = it1.startSpan('validate', 'chain');
    validate.startChild('policy', 'tool').end();
    validate.startChild('dry-run', 'tool').end();
    validate.end();
    await it1.end('FINISHED');
    await run.end('FINISHED');
    const byName = new Map(spans().map((s) => [s.name, s]));
    expect(byName.get('policy')?.parentSpanId).toBe(byName.get('validate')?.spanId);
    expect(byName.get('dry-run')?.parentSpanId).toBe(byName.get('validate')?.spanId);
    expect(byName.get('validate')?.parentSpanId).toBe(byName.get('iteration 1')?.spanId);
  });
});
