// What the OpenTelemetry SDK sends, captured at real sockets: MLflow's /v1/traces and a user's collector get the
// same redacted spans (ids, times, status, GenAI attributes); a refusal on either side costs only a warning.
import { afterEach, describe, expect, it } from 'vitest';
import { exportTrace } from '../../../src/tracking/export-trace.js';
import { createMlflowClient } from '../../../src/tracking/mlflow-client.js';
import { createTraceCollector } from '../../../src/tracking/trace-collector.js';
import { createTraceRecorder } from '../../../src/tracking/trace-recorder.js';
import { createOutageBreaker, createTrackingGuard } from '../../../src/tracking/tracking-guard.js';
import {
  closedPort,
  mlflowError,
  startMlflowFailureServer,
  type MlflowFailureServer,
  type StandInAnswer,
} from '../../../tools/stand-ins/mlflow-failure-server.js';
import {
  decodeOtlpJson,
  startOtlpCollector,
  type OtlpCollector,
} from '../../../tools/stand-ins/otlp-collector.js';

const TRACE = 'ab'.repeat(16);
const ROOT = '11'.repeat(8);
const LLM = '22'.repeat(8);
const SECRET = 'sk-proj-4f9a7c2e1b8d6f3a5c7e9b1d3f5a7c9e';

let mlflow: MlflowFailureServer | null = null;
let collector: OtlpCollector | null = null;
afterEach(async () => {
  await mlflow?.close();
  await collector?.close();
  mlflow = collector = null;
});

/** A root span with a secret in its inputs and a failed LLM call below it. */
function recorded() {
  const rec = createTraceRecorder(TRACE);
  const root = rec.startSpan(
    'investigate deployment/web@shop',
    'agent',
    { 'mlflow.spanInputs': { requester: 'U1', note: `Authorization: Bearer ${SECRET}` }, pods: 2 },
    null,
    ROOT,
  );
  const llm = rec.startSpan('llm call 1', 'llm', { latency_seconds: 1.5 }, ROOT, LLM, {
    startMs: 1_700_000_000_123.5,
    durationMs: 1500,
  });
  llm.setUsage({
    model: 'gpt-4o-mini',
    promptTokens: 1200,
    completionTokens: 80,
    responseModel: 'gpt-4o-mini-2024-07-18',
  });
  llm.end(new Error(`upstream said password=${SECRET}`));
  root.end();
  return { rec, llmId: LLM };
}

async function run(mlflowAnswer: (path: string) => StandInAnswer, collectorUrl: string | null) {
  mlflow = await startMlflowFailureServer((r) => mlflowAnswer(r.url));
  const client = createMlflowClient(
    { trackingUri: mlflow.url, experimentName: 'x', token: 'mlflow-token', username: null, password: null },
    { attempts: 1, timeoutMs: 2000 },
  );
  const guard = createTrackingGuard(createOutageBreaker(60_000));
  const { rec, llmId } = recorded();
  const sink = collectorUrl
    ? createTraceCollector({
        tracesUrl: `${collectorUrl}/v1/traces`,
        headers: { 'x-team': 'ops-key' },
        timeoutMs: 500,
      })
    : null;
  await exportTrace({
    client,
    guard,
    recorder: rec,
    collector: sink,
    experimentId: '7',
    runId: 'run-1',
    serviceVersion: '1.2.3',
  });
  await sink?.shutdown();
  const traces = mlflow.requests.filter((r) => r.url === '/v1/traces');
  return {
    guard,
    llmId,
    traces,
    links: mlflow.requests.filter((r) => r.url.endsWith('/traces/link-to-run')),
  };
}

const ok = (): StandInAnswer => ({ status: 200, body: {} });

describe('exportTrace through the OpenTelemetry SDK', () => {
  it('sends MLflow and the collector the same spans, redacted, with GenAI attributes and the run link', async () => {
    collector = await startOtlpCollector();
    const { guard, llmId, traces, links } = await run(ok, collector.url);
    expect(guard.warnings).toEqual([]);
    expect(traces).toHaveLength(1);
    expect(traces[0]!.headers).toMatchObject({
      'content-type': 'application/json',
      'x-mlflow-experiment-id': '7',
      'x-mlflow-run-id': 'run-1',
      authorization: 'Bearer mlflow-token',
    });
    // The collector's credentials go to the collector only, MLflow's to MLflow only.
    expect(traces[0]!.headers).not.toHaveProperty('x-team');
    expect(collector.requests[0]!.headers).toMatchObject({ 'x-team': 'ops-key' });
    expect(collector.requests[0]!.headers).not.toHaveProperty('authorization');
    expect(JSON.parse(links[0]!.body)).toEqual({ run_id: 'run-1', trace_ids: [`tr-${TRACE}`] });

    const atMlflow = decodeOtlpJson(traces[0]!.body);
    expect(collector.spans()).toEqual(atMlflow);
    const [root, llm] = atMlflow;
    expect(root).toMatchObject({
      traceId: TRACE,
      spanId: ROOT,
      parentSpanId: null,
      name: 'investigate deployment/web@shop',
      kind: 1,
      status: { code: 1 },
      resource: { 'service.name': 'kube-autofix', 'service.version': '1.2.3' },
      scope: { name: 'kube-autofix', version: '1.2.3' },
    });
    expect(root!.attributes).toMatchObject({ 'mlflow.spanType': 'AGENT', pods: 2 });
    expect(JSON.parse(root!.attributes['mlflow.spanInputs'] as string)).toEqual({
      requester: 'U1',
      note: 'Authorization: Bearer [REDACTED]',
    });
    expect(llm).toMatchObject({
      traceId: TRACE,
      spanId: llmId,
      parentSpanId: ROOT,
      // Sub-millisecond start kept: 1_700_000_000_123.5 ms, ended 1.5 s later.
      startTimeUnixNano: '1700000000123500000',
      endTimeUnixNano: '1700000001623500000',
      status: { code: 2 },
      attributes: {
        'mlflow.spanType': 'LLM',
        'gen_ai.operation.name': 'chat',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.output_tokens': 80,
        latency_seconds: 1.5,
      },
    });
    expect(llm!.status.message).toMatch(/password=\[REDACTED\]/);
    for (const body of [traces[0]!.body, collector.requests[0]!.body]) expect(body).not.toContain(SECRET);
  });

  it('an MLflow without OTLP ingestion skips the trace with a note; the collector still gets it', async () => {
    collector = await startOtlpCollector();
    const { guard, traces, links } = await run(
      (path) => (path === '/v1/traces' ? mlflowError(404, 'ENDPOINT_NOT_FOUND') : ok()),
      collector.url,
    );
    expect(traces).toHaveLength(1);
    expect(links).toEqual([]);
    expect(guard.warnings).toEqual([
      'MLflow server does not accept OTLP traces at /v1/traces (HTTP 404); the trace was skipped',
    ]);
    expect(guard.quiet).toBe(false);
    expect(collector.spans()).toHaveLength(2);
  });

  it('a collector that refuses or is down costs a warning naming it; MLflow has the trace', async () => {
    collector = await startOtlpCollector(() => 400);
    const refused = await run(ok, collector.url);
    expect(refused.traces).toHaveLength(1);
    expect(refused.guard.warnings).toEqual([
      expect.stringMatching(
        new RegExp(`^the trace could not be sent to the OTLP collector at ${collector.url}/v1/traces: `),
      ),
    ]);
    expect(refused.guard.quiet).toBe(false);
    await mlflow!.close();

    const down = await run(ok, `http://127.0.0.1:${await closedPort()}`);
    expect(down.traces).toHaveLength(1);
    expect(down.links).toHaveLength(1);
    expect(down.guard.warnings).toEqual([expect.stringContaining('could not be sent to the OTLP collector')]);
  });

  it('a collector that never answers is given up at its timeout, with a warning; MLflow has the trace', async () => {
    const silent = await startMlflowFailureServer(() => ({ status: 200, body: {}, delayMs: 60_000 }));
    try {
      const { guard, traces } = await run(ok, silent.url);
      expect(traces).toHaveLength(1);
      expect(guard.warnings).toEqual([expect.stringContaining(`OTLP collector at ${silent.url}/v1/traces`)]);
    } finally {
      await silent.close();
    }
  });

  it('sends nothing when no span was recorded since the last export', async () => {
    collector = await startOtlpCollector();
    mlflow = await startMlflowFailureServer(ok);
    const client = createMlflowClient({
      trackingUri: mlflow.url,
      experimentName: 'x',
      token: null,
      username: null,
      password: null,
    });
    const guard = createTrackingGuard(createOutageBreaker(60_000));
    const sink = createTraceCollector({
      tracesUrl: `${collector.url}/v1/traces`,
      headers: {},
      timeoutMs: 500,
    });
    await exportTrace({
      client,
      guard,
      recorder: createTraceRecorder(TRACE),
      collector: sink,
      experimentId: '7',
      runId: 'r',
      serviceVersion: '1',
    });
    expect(mlflow.requests).toEqual([]);
    expect(collector.requests).toEqual([]);
  });
});
