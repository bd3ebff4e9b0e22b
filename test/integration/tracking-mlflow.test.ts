// MLflow tracking against the sandbox's real MLflow server: experiments, nested runs, logs, artifacts, traces, failures.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMlflowClient } from '../../src/tracking/mlflow-client.js';
import { createMlflowTracker } from '../../src/tracking/mlflow-tracker.js';
import type { InvestigationInfo } from '../../src/tracking/tracker.js';
import type { MlflowConfig } from '../../src/config/config.js';
import {
  closedPort,
  mlflowError,
  startMlflowFailureServer,
} from '../../tools/stand-ins/mlflow-failure-server.js';

const uri = (process.env.MLFLOW_TRACKING_URI ?? '').replace(/\/+$/, '');
const config = (experimentName: string, trackingUri = uri): MlflowConfig => ({
  trackingUri,
  experimentName,
  token: null,
  username: null,
  password: null,
});
/** A busy CI machine can make the real server slower than the production deadline (5 s). */
const patient = { timeoutMs: 30_000 };
const info: InvestigationInfo = {
  target: { kind: 'Deployment', name: 'web', namespace: 'shop' },
  engine: 'llm',
  model: 'gpt-4o-mini',
  maxIterations: 3,
  policyLevel: 'baseline',
  agentVersion: '0.1.0',
  requestedBy: 'U123',
  channel: 'C456',
};

async function api<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(
    `${uri}${path}`,
    body === undefined
      ? {}
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
  );
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

interface RunJson {
  info: {
    run_id: string;
    run_name: string;
    status: string;
    end_time?: string | number;
    experiment_id: string;
  };
  data: {
    params?: { key: string; value: string }[];
    tags?: { key: string; value: string }[];
    metrics?: { key: string; value: number; step: string | number }[];
  };
}
const getRun = async (id: string): Promise<RunJson> =>
  (await api<{ run: RunJson }>(`/api/2.0/mlflow/runs/get?run_id=${id}`)).run;
const kv = (items: { key: string; value: string }[] = []): Record<string, string> =>
  Object.fromEntries(items.map((i) => [i.key, i.value]));
const artifactText = async (runId: string, path: string): Promise<string> => {
  const res = await fetch(
    `${uri}/api/2.0/mlflow-artifacts/artifacts/${(await getRun(runId)).info.experiment_id}/${runId}/artifacts/${path}`,
  );
  expect(res.status).toBe(200);
  return res.text();
};

beforeAll(() => {
  if (!uri)
    throw new Error(
      'MLFLOW_TRACKING_URI is not set (the integration global setup sets it from .sandbox/env)',
    );
});

describe('MLflow client experiments (real server)', () => {
  it('gets or creates by name: twice and concurrently the same id; a deleted one is restored', async () => {
    const name = `it-exp-${randomUUID()}`;
    const client = createMlflowClient(config(name), patient);
    const [a, b, c] = await Promise.all([
      client.getOrCreateExperiment(name),
      client.getOrCreateExperiment(name),
      client.getOrCreateExperiment(name),
    ]);
    expect(new Set([a.experiment_id, b.experiment_id, c.experiment_id]).size).toBe(1);
    expect((await client.getOrCreateExperiment(name)).experiment_id).toBe(a.experiment_id);

    await api('/api/2.0/mlflow/experiments/delete', { experiment_id: a.experiment_id });
    const restored = await client.getOrCreateExperiment(name);
    expect(restored).toMatchObject({ experiment_id: a.experiment_id, lifecycle_stage: 'active' });
    const read = await api<{ experiment: { lifecycle_stage: string } }>(
      `/api/2.0/mlflow/experiments/get?experiment_id=${a.experiment_id}`,
    );
    expect(read.experiment.lifecycle_stage).toBe('active');
  });

  it('logs over the server limits in several requests, with sanitised keys', async () => {
    const name = `it-batch-${randomUUID()}`;
    const client = createMlflowClient(config(name), patient);
    const exp = await client.getOrCreateExperiment(name);
    const run = await client.createRun({ experimentId: exp.experiment_id, runName: 'batch' });
    const metrics = Array.from({ length: 1001 }, (_, i) => ({
      key: `m/${i % 3}`,
      value: i,
      timestamp: Date.now(),
      step: i,
    }));
    const params = Array.from({ length: 101 }, (_, i) => ({
      key: `p(${i})`,
      value: i === 0 ? 'x'.repeat(7000) : String(i),
    }));
    await client.logBatch(run.run_id, { metrics, params, tags: [{ key: 'k'.repeat(300), value: 'v' }] });
    const got = await getRun(run.run_id);
    const p = kv(got.data.params);
    expect(Object.keys(p)).toHaveLength(101);
    expect(p['p_0_']).toHaveLength(6000);
    expect(kv(got.data.tags)['k'.repeat(250)]).toBe('v');
    const history = await api<{ metrics: unknown[] }>(
      `/api/2.0/mlflow/metrics/get-history?run_id=${run.run_id}&metric_key=m/0&max_results=5000`,
    );
    expect(history.metrics).toHaveLength(334);
  });
});

describe('MlflowTracker (real server)', () => {
  it('tracks an investigation: parent run, 2 iterations, apply, logs, artifacts, trace linked to the run', async () => {
    const name = `it-tracker-${randomUUID()}`;
    const tracker = createMlflowTracker(config(name), { serviceVersion: '0.1.0', http: patient });
    const run = await tracker.startInvestigation(info);
    // The run is created beside the investigation: its id once that settles.
    await run.settled();
    expect(run.runId).toMatch(/^[0-9a-f]{32}$/);
    const parentId = run.runId!;

    for (const n of [1, 2]) {
      const iteration = await run.startIteration(n);
      const collect = iteration.startSpan('collect', 'tool', { api_calls: 7 });
      collect.end();
      const llm = iteration.startSpan('llm chat', 'llm');
      llm.setUsage({ model: 'gpt-4o-mini', promptTokens: 100 * n, completionTokens: 10 * n });
      llm.end();
      iteration.startSpan('policy', 'tool').end(n === 1 ? new Error('memory above cap') : undefined);
      await iteration.logMetrics(
        { collect_seconds: 0.5 * n, confidence: 0.4 * n, policy_passed: n === 1 ? 0 : 1 },
        n,
      );
      await iteration.logArtifact('evidence.json', { pods: [{ name: 'web-1', restarts: n }] });
      await iteration.logArtifact(
        'proposal.diff',
        `--- a\n+++ b\n@@ -1 +1 @@\n-memory: 64Mi\n+memory: ${128 * n}Mi\n`,
      );
      await iteration.end(n === 1 ? 'FAILED' : 'FINISHED');
    }
    await run.logMetrics({ iterations: 2, time_to_proposal_seconds: 3.5, success: 1 });
    await run.setTags({ 'autofix.category': 'oom_killed', 'autofix.outcome': 'proposed' });
    await run.end('FINISHED');
    expect(run.warnings).toEqual([]);

    // Parent run: name, status, params and tags from the investigation info.
    const parent = await getRun(parentId);
    expect(parent.info).toMatchObject({ run_name: 'deployment/web@shop', status: 'FINISHED' });
    expect(Number(parent.info.end_time)).toBeGreaterThan(0);
    expect(kv(parent.data.params)).toEqual({
      target_kind: 'Deployment',
      target_name: 'web',
      namespace: 'shop',
      engine: 'llm',
      model: 'gpt-4o-mini',
      max_iterations: '3',
      policy_level: 'baseline',
      agent_version: '0.1.0',
    });
    expect(kv(parent.data.tags)).toMatchObject({
      'autofix.target': 'deployment/shop/web',
      'autofix.engine': 'llm',
      'autofix.requested_by': 'U123',
      'autofix.channel': 'C456',
      'autofix.category': 'oom_killed',
    });

    // Nested runs.
    const experimentId = parent.info.experiment_id;
    const nested = await api<{ runs: RunJson[] }>('/api/2.0/mlflow/runs/search', {
      experiment_ids: [experimentId],
      filter: `tags.mlflow.parentRunId = '${parentId}'`,
      order_by: ['attributes.start_time ASC'],
    });
    expect(nested.runs.map((r) => [r.info.run_name, r.info.status])).toEqual([
      ['iteration-1', 'FAILED'],
      ['iteration-2', 'FINISHED'],
    ]);
    const it2 = nested.runs[1]!;
    const history = await api<{ metrics: { value: number; step: string }[] }>(
      `/api/2.0/mlflow/metrics/get-history?run_id=${it2.info.run_id}&metric_key=confidence`,
    );
    expect(history.metrics.map((m) => [m.value, Number(m.step)])).toEqual([[0.8, 2]]);

    // Artifacts, JSON and text, read back through the proxied artifact API.
    expect(JSON.parse(await artifactText(it2.info.run_id, 'evidence.json'))).toEqual({
      pods: [{ name: 'web-1', restarts: 2 }],
    });
    expect(await artifactText(it2.info.run_id, 'proposal.diff')).toContain('+memory: 256Mi');
    const listed = await api<{ files: { path: string }[] }>(
      `/api/2.0/mlflow/artifacts/list?run_id=${it2.info.run_id}`,
    );
    expect(listed.files.map((f) => f.path).sort()).toEqual(['evidence.json', 'proposal.diff']);

    // The link opens the UI.
    expect(run.runUrl).toBe(`${uri}/#/experiments/${experimentId}/runs/${parentId}`);
    expect((await fetch(run.runUrl!.split('#')[0]!)).status).toBe(200);

    // Trace: listed for the experiment, linked to the run, spans typed, token usage aggregated.
    const search = async (
      filter?: string,
    ): Promise<{ trace_id: string; state: string; trace_metadata?: Record<string, string> }[]> =>
      (
        await api<{
          traces?: { trace_id: string; state: string; trace_metadata?: Record<string, string> }[];
        }>('/api/3.0/mlflow/traces/search', {
          locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }],
          ...(filter ? { filter } : {}),
        })
      ).traces ?? [];
    const traces = await search();
    expect(traces.map((t) => [t.trace_id, t.state])).toEqual([[`tr-${parentId}`, 'OK']]);
    expect(JSON.parse(traces[0]!.trace_metadata!['mlflow.trace.tokenUsage']!)).toEqual({
      input_tokens: 300,
      output_tokens: 30,
      total_tokens: 330,
    });
    expect(await search(`metadata.\`mlflow.sourceRun\` = '${parentId}'`)).toHaveLength(1);
    expect(await search(`metadata.\`mlflow.sourceRun\` = '${'0'.repeat(32)}'`)).toHaveLength(0);

    const spans = await traceSpans(parentId);
    expect(spans.get('investigate deployment/web@shop')).toMatchObject({ type: 'AGENT', parent: null });
    expect(spans.get('iteration 1')).toMatchObject({ type: 'CHAIN', status: 'STATUS_CODE_ERROR' });
    expect(spans.get('llm chat')).toMatchObject({
      type: 'LLM',
      usage: { input_tokens: 200, output_tokens: 20, total_tokens: 220 },
    });
    expect([...spans.keys()].filter((n) => n === 'collect')).toHaveLength(1);

    // Later, in another process: the apply step re-opens the parent run and joins the same trace.
    const later = createMlflowTracker(config(name), { http: patient });
    const resumed = await later.resumeInvestigation(parentId);
    expect(resumed.runUrl).toBe(run.runUrl);
    expect((await getRun(parentId)).info.status).toBe('RUNNING');
    const apply = await resumed.startApply();
    apply.startSpan('server-side apply', 'tool').end();
    apply.startSpan('rollout', 'tool').end();
    await apply.logArtifact('apply.json', { applied: true });
    await apply.logMetrics({ time_to_healthy_seconds: 12 });
    await apply.end('FINISHED');
    await resumed.setTags({ 'autofix.decision': 'approved', 'autofix.outcome': 'fixed' });
    await resumed.end('FINISHED');
    expect(resumed.warnings).toEqual([]);
    expect((await getRun(parentId)).info.status).toBe('FINISHED');
    expect(kv((await getRun(apply.runId!)).data.tags)['mlflow.parentRunId']).toBe(parentId);
    expect(JSON.parse(await artifactText(apply.runId!, 'apply.json'))).toEqual({ applied: true });
    const after = await traceSpans(parentId);
    expect(after.get('apply')).toMatchObject({ parent: spans.get('investigate deployment/web@shop')!.id });
    expect(after.get('rollout')).toMatchObject({ parent: after.get('apply')!.id, type: 'TOOL' });
    expect(await search()).toHaveLength(1);
  });

  it('completes quickly with one warning, and never throws, when MLflow is down, failing or refusing credentials', async () => {
    const port = await closedPort();
    const failing = await startMlflowFailureServer((r) =>
      r.headers.authorization ? mlflowError(401, 'UNAUTHENTICATED') : mlflowError(500, 'INTERNAL_ERROR'),
    );
    try {
      const targets: MlflowConfig[] = [
        config('it-down', `http://127.0.0.1:${port}`),
        config('it-500', failing.url),
        { ...config('it-401', failing.url), username: 'alice', password: 'wrong' },
      ];
      for (const c of targets) {
        const started = Date.now();
        const run = await createMlflowTracker(c).startInvestigation(info);
        const iteration = await run.startIteration(1);
        iteration.startSpan('collect', 'tool').end();
        await iteration.logArtifact('evidence.json', {});
        await iteration.end('FINISHED');
        await run.end('FINISHED');
        expect(Date.now() - started).toBeLessThan(5000);
        expect(run.warnings).toHaveLength(1);
        expect(run.runId).toBeNull();
      }
    } finally {
      await failing.close();
    }
  });
});

interface SpanView {
  id: string;
  parent: string | null;
  type: string | undefined;
  status: string;
  usage: unknown;
}

/** The trace's spans by name, read back from the server (ids base64 as the server returns them). */
async function traceSpans(runId: string): Promise<Map<string, SpanView>> {
  type Attr = { key: string; value: Record<string, unknown> };
  type Span = {
    name: string;
    span_id: string;
    parent_span_id?: string;
    status: { code: string };
    attributes: Attr[];
  };
  const trace = await api<{ trace: { spans: Span[] } }>(`/api/3.0/mlflow/traces/get?trace_id=tr-${runId}`);
  const out = new Map<string, SpanView>();
  for (const s of trace.trace.spans) {
    const attr = (k: string): Record<string, unknown> | undefined =>
      s.attributes.find((a) => a.key === k)?.value;
    const usage = attr('mlflow.chat.tokenUsage')?.kvlist_value as
      { values: { key: string; value: { int_value: number } }[] } | undefined;
    out.set(s.name, {
      id: s.span_id,
      parent: s.parent_span_id || null,
      type: attr('mlflow.spanType')?.string_value as string | undefined,
      status: s.status.code,
      usage: usage
        ? Object.fromEntries(usage.values.map((v) => [v.key, Number(v.value.int_value)]))
        : undefined,
    });
  }
  return out;
}
