// What reaches MLflow before the proposal (the run's creation, and a history read the worker never waits for) and what
// only when the run ends (one batch per run, one PUT per artifact, the trace); the history kept per workload.
import { describe, expect, it } from 'vitest';
import type { MlflowClient } from '../../../src/tracking/mlflow-client.js';
import { unusedMlflowMethods } from '../../fixtures/unused-mlflow-methods.js';
import type { MlflowRun } from '../../../src/tracking/mlflow-schemas.js';
import { createMlflowTracker } from '../../../src/tracking/mlflow-tracker.js';
import type { InvestigationRun, Tracker } from '../../../src/tracking/tracker.js';

interface Recording {
  client: MlflowClient;
  calls: string[];
  /** Runs as the server would keep them (tags only), for getRun and searchRuns. */
  runs: Map<string, MlflowRun>;
}

/** An in-memory MLflow that records every call by method; `searchRuns` answers when `search` resolves. */
function recordingClient(search: () => Promise<void> = async () => undefined): Recording {
  const calls: string[] = [];
  const runs = new Map<string, MlflowRun>();
  let n = 0;
  const info = (id: string, start: number) => ({
    run_id: id,
    experiment_id: '7',
    status: 'RUNNING' as const,
    artifact_uri: `mlflow-artifacts:/7/${id}/artifacts`,
    lifecycle_stage: 'active',
    start_time: start,
  });
  const call =
    <A extends unknown[], R>(name: string, fn: (...a: A) => Promise<R>) =>
    (...a: A): Promise<R> => {
      calls.push(name);
      return fn(...a);
    };
  const client: MlflowClient = {
    trackingUri: 'http://mlflow.test',
    getOrCreateExperiment: call('getOrCreateExperiment', async () => ({
      experiment_id: '7',
      name: 'e',
      lifecycle_stage: 'active',
    })),
    createRun: call('createRun', async (input) => {
      const id = `run${n++}`.padEnd(32, '0');
      const tags = Object.entries({
        ...input.tags,
        ...(input.parentRunId ? { 'mlflow.parentRunId': input.parentRunId } : {}),
      }).map(([key, value]) => ({ key, value }));
      runs.set(id, {
        info: info(id, input.startTime ?? Date.now()),
        data: { metrics: [], params: [], tags },
      });
      return info(id, input.startTime ?? Date.now());
    }),
    getRun: call('getRun', async (id) => runs.get(id)!),
    updateRun: call('updateRun', async () => undefined),
    logBatch: call('logBatch', async (id, batch) => {
      const run = runs.get(id)!;
      const tags = new Map(run.data.tags.map((t) => [t.key, t.value]));
      for (const t of batch.tags ?? []) tags.set(t.key, t.value);
      run.data.tags = [...tags].map(([key, value]) => ({ key, value }));
    }),
    uploadArtifact: call('uploadArtifact', async () => undefined),
    listArtifacts: call('listArtifacts', async () => []),
    downloadArtifact: call('downloadArtifact', async () => ''),
    logInputs: call('logInputs', async () => undefined),
    registerPromptVersion: call('registerPromptVersion', async () => '1'),
    findLoggedModel: call('findLoggedModel', async () => null),
    createLoggedModel: call('createLoggedModel', async () => 'm-1'),
    exportTraces: call('exportTraces', async () => undefined),
    linkTracesToRun: call('linkTracesToRun', async () => undefined),
    setTraceTag: call('setTraceTag', async () => undefined),
    runUrl: () => null,
    findExperiment: call('findExperiment', async () => null),
    searchRuns: call('searchRuns', async () => {
      await search();
      return [...runs.values()].filter((r) => r.data.tags.some((t) => t.key === 'autofix.target'));
    }),
    ...unusedMlflowMethods,
  };
  return { client, calls, runs };
}

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

function tracker(client: MlflowClient, now?: () => number, extra: { awaitHistory?: boolean } = {}): Tracker {
  const config = {
    trackingUri: client.trackingUri,
    experimentName: 'e',
    token: null,
    username: null,
    password: null,
  };
  return createMlflowTracker(config, { client, ...(now ? { now } : {}), ...extra });
}

/** What the agent does in one proposing investigation, up to (not including) the run's end. */
async function investigation(t: Tracker, opts: { settle?: boolean } = {}): Promise<InvestigationRun> {
  const run = await t.startInvestigation(info);
  const it1 = await run.startIteration(1);
  it1.startSpan('collect', 'retriever').end();
  await it1.logMetrics({ collect_seconds: 0.1, api_calls: 12 });
  for (const a of ['evidence.json', 'findings.json', 'diagnosis.json', 'proposal.diff'])
    await it1.logArtifact(a, { a });
  await it1.logMetrics({ confidence: 0.8 });
  await it1.end('FINISHED');
  await run.tellStory({
    outcome: 'proposed',
    diagnosis: {
      category: 'oom_killed',
      rootCause: 'OOMKilled at 64Mi',
      summary: 's',
      confidence: 0.8,
      engine: 'rules',
      notes: [],
    },
  });
  await run.logMetrics({ iterations: 1 });
  await run.setTags({ 'autofix.outcome': 'proposed', 'autofix.category': 'oom_killed' });
  if (opts.settle !== false) await run.settled();
  return run;
}

describe('MlflowTracker: off the critical path', () => {
  it('before the run ends only its creation and the history read reach MLflow; the end writes the rest in one go', async () => {
    const { client, calls } = recordingClient();
    const run = await investigation(tracker(client));
    expect(run.runId).not.toBeNull();
    expect([...calls].sort()).toEqual(['createRun', 'getOrCreateExperiment', 'searchRuns']);
    calls.length = 0;
    await run.end('FINISHED');
    expect([...calls].sort()).toEqual([
      'createRun', // the iteration's nested run
      'exportTraces',
      'getRun', // the story, read back to be extended
      'logBatch', // the parent: params, tags, metrics, story
      'logBatch', // the iteration
      'updateRun',
      'updateRun',
      'uploadArtifact',
      'uploadArtifact',
      'uploadArtifact',
      'uploadArtifact',
    ]);
    // The trace's root span is in the export: the run-id header links it, no link-to-run call.
    expect(calls).not.toContain('linkTracesToRun');
  });

  it('never waits for the history: a read still under way when the proposal is ready says nothing', async () => {
    let answer!: () => void;
    const { client } = recordingClient(() => new Promise((r) => (answer = r)));
    const run = await investigation(tracker(client));
    expect(run.runId).not.toBeNull();
    expect(run.past).toEqual([]);
    answer();
  });

  it('a tracker made to wait for the history (the CLI) settles only once the read has answered', async () => {
    let answer!: () => void;
    const { client } = recordingClient(() => new Promise((r) => (answer = r)));
    const t = tracker(client, undefined, { awaitHistory: true });
    const seed = await investigation(t, { settle: false });
    let settled = false;
    void seed.settled().then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    // Every step above went on while the read was out; only `settled` waits for it.
    expect(settled).toBe(false);
    answer();
    await seed.settled();
    expect(settled).toBe(true);
  });

  it('reads a workload history once per minute and counts the investigations that ended since', async () => {
    let clock = 1_000_000;
    const { client, calls } = recordingClient();
    const t = tracker(client, () => clock);
    const first = await investigation(t);
    await first.end('FINISHED');
    const second = await t.startInvestigation(info);
    await second.settled();
    // The cached history, with the first investigation added as it ended.
    expect(calls.filter((c) => c === 'searchRuns')).toHaveLength(1);
    expect(second.past.map((p) => [p.runId, p.category, p.outcome])).toEqual([
      [first.runId, 'oom_killed', 'proposed'],
    ]);
    clock += 61_000;
    const third = await t.startInvestigation(info);
    await third.settled();
    await new Promise((r) => setTimeout(r, 0));
    expect(calls.filter((c) => c === 'searchRuns')).toHaveLength(2);
    // Read afresh: the runs themselves, never the asking one.
    expect(third.past.map((p) => p.runId)).not.toContain(third.runId);
    expect(third.past.map((p) => p.runId)).toEqual(expect.arrayContaining([first.runId, second.runId]));
  });
});
