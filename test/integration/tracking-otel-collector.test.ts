// Traces through OpenTelemetry: with OTEL_EXPORTER_OTLP_ENDPOINT set, one investigation's trace reaches both the real
// MLflow (read back through its trace API, linked to the run) and the user's collector, GenAI attributes on the LLM
// span, no secret of the workload in either.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../tools/stand-ins/openai-stand-in.js';
import { startOtlpCollector, type OtlpCollector } from '../../tools/stand-ins/otlp-collector.js';
import { deployment, type Kube, useNamespace } from './support/kube.js';
import * as mlflow from './support/mlflow-rest.js';
import { runCli } from './support/run-cli.js';
import { waitFor } from './support/wait-for.js';

const EXPERIMENT = `it-tracking-otel-${randomUUID()}`;
const CANARY = `cnry${randomBytes(6).toString('hex')}`;
const COLLECTOR_KEY = `collector-${randomBytes(4).toString('hex')}`;

let k: Kube;
let ns: string;
let llm: OpenAiStandIn;
let collector: OtlpCollector;

useNamespace('otel', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  llm = await startOpenAiStandIn();
  collector = await startOtlpCollector();
  await k.core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'db' }, stringData: { password: `${CANARY}sec` } },
  });
  const d = deployment('oom', {
    image: 'acme/shop-web:1.4.0',
    env: [
      { name: 'API_TOKEN', value: `${CANARY}env` },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
    ],
    resources: { limits: { memory: '64Mi' } },
  });
  d.spec!.template.spec!.containers.push({
    name: 'side',
    image: 'busybox:1.36',
    command: ['sh', '-c', `echo "Authorization: Bearer ${CANARY}log"; sleep 3600`],
  });
  await k.apps.createNamespacedDeployment({ namespace: ns, body: d });
  await waitFor(
    async () =>
      (await k.core.listNamespacedPod({ namespace: ns })).items.some(
        (p) => (p.status?.containerStatuses?.find((c) => c.name === 'app')?.restartCount ?? 0) > 0,
      ),
    { what: 'the OOMing container to restart', timeoutMs: 90_000 },
  );
});

afterAll(async () => {
  await llm?.close();
  await collector?.close();
});

type AnyValue = Record<string, unknown>;
const stringOf = (v: AnyValue | undefined): unknown => v?.string_value ?? v?.int_value ?? v?.bool_value;

describe('one trace, two destinations', () => {
  it('MLflow and the collector both get the investigation trace, GenAI attributes on the LLM span, no secret', async () => {
    llm.push({
      json: {
        category: 'oom_killed',
        rootCause: 'Container app was OOMKilled: its 64Mi memory limit is below its working set.',
        summary: 'The memory limit of container app is too low.',
        confidence: 0.9,
        change: {
          summary: ['raise memory limit of container app from 64Mi to 128Mi'],
          patch: [
            {
              op: 'replace',
              path: '/spec/template/spec/containers/0/resources/limits/memory',
              valueJson: JSON.stringify('128Mi'),
            },
          ],
        },
        humanAction: null,
      },
      usage: { promptTokens: 1200, completionTokens: 80 },
    });
    const r = await runCli(
      'diagnose',
      'deployment/oom',
      { namespace: ns },
      {
        AUTOFIX_NAMESPACES: ns,
        MLFLOW_TRACKING_URI: mlflow.mlflowUri(),
        MLFLOW_EXPERIMENT_NAME: EXPERIMENT,
        OPENAI_API_KEY: llm.apiKey,
        OPENAI_BASE_URL: llm.url,
        AUTOFIX_LLM_MAX_RETRIES: '0',
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_HEADERS: `x-collector-key=${COLLECTOR_KEY}`,
      },
    );
    expect([r.code, r.json.outcome, r.json.diagnosis?.engine]).toEqual([0, 'proposed', 'llm']);
    expect(r.stderr).not.toContain('tracking:');
    const runId = r.json.tracking!.runId;
    const run = await mlflow.getRun(runId);

    // MLflow: the trace linked to the run, read back through its trace API.
    const linked = await mlflow.tracesOfRun(run.info.experiment_id, runId);
    expect(linked.map((t) => t.trace_id)).toEqual([`tr-${runId}`]);
    const stored = await mlflow.getTrace(`tr-${runId}`);
    const llmAtMlflow = stored.trace.spans.find((s) => s.name === 'llm call 1')!;
    const mlflowAttr = (key: string): unknown =>
      stringOf(llmAtMlflow.attributes.find((a) => a.key === key)?.value);
    expect({
      operation: mlflowAttr('gen_ai.operation.name'),
      model: mlflowAttr('gen_ai.request.model'),
      system: mlflowAttr('gen_ai.system'),
      input: Number(mlflowAttr('gen_ai.usage.input_tokens')),
      output: Number(mlflowAttr('gen_ai.usage.output_tokens')),
    }).toEqual({ operation: 'chat', model: 'gpt-4o-mini', system: 'openai', input: 1200, output: 80 });
    expect(mlflow.spanView(llmAtMlflow)).toMatchObject({
      type: 'LLM',
      usage: { input_tokens: 1200, output_tokens: 80, total_tokens: 1280 },
    });

    // The collector: the same trace (id = the run's), the same spans, with its own header and nobody else's.
    const spans = collector.spans();
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([runId]));
    expect(spans.map((s) => s.name).sort()).toEqual(stored.trace.spans.map((s) => s.name).sort());
    expect(collector.requests.every((q) => q.headers['x-collector-key'] === COLLECTOR_KEY)).toBe(true);
    expect(collector.requests.some((q) => 'authorization' in q.headers)).toBe(false);
    const llmSpan = spans.find((s) => s.name === 'llm call 1')!;
    expect(llmSpan.attributes).toMatchObject({
      'mlflow.spanType': 'LLM',
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      // The OpenAI stand-in answers as the model it was asked for.
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 80,
    });
    const root = spans.find((s) => s.parentSpanId === null)!;
    expect(root.name).toBe(`investigate deployment/oom@${ns}`);
    expect(root.resource).toMatchObject({ 'service.name': 'kube-autofix' });
    expect(llmSpan.parentSpanId).toBe(spans.find((s) => s.name === 'diagnose')!.spanId);

    // No value of the workload's secrets (env, Secret, logged token) in either copy.
    expect(JSON.stringify(stored)).not.toContain(CANARY);
    for (const q of collector.requests) expect(q.body).not.toContain(CANARY);
  });
});
