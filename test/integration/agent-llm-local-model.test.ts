// The LLM engine, unchanged, against a real llama.cpp server running SmolLM2-135M-Instruct (built and fetched
// on first use by the sandbox scripts, cached): the request shapes the real server accepts (structured output
// and the json_object fallback), and that its poor answers never crash an investigation nor apply anything
// unsafe. Two model calls in all (no re-ask, one iteration each): a CPU model call is the cost here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmOutput } from '../../src/agent/diagnose/llm/llm-output.js';
import {
  ensureLocalModel,
  startLlamaServer,
  type LlamaServer,
  type LocalModel,
} from './support/llama-server.js';
import { startRecordingProxy, type Exchange, type RecordingProxy } from './support/recording-proxy.js';
import { deployment, type Kube, useNamespace } from './support/kube.js';
import { runCli, type CliRun } from './support/run-cli.js';
import { waitFor } from './support/wait-for.js';

/*
 * Time limits. One call is a ~4.2k-token prompt (SmolLM2's tokenizer) and at most MAX_OUTPUT tokens: on 2 idle
 * cores (~150 prompt tokens/s, ~25 generated/s) under a minute. On this machine shared by several test runs
 * (load ~16 on 2 cores) one call took 4-8 minutes, so the engine gets the longest request the product allows
 * (AUTOFIX_LLM_TIMEOUT_MS, 600 s) and each test 15 minutes: load slows these tests down instead of failing
 * them, and nothing asserts how long anything took. Vitest runs integration files one at a time.
 */
const CALL_MS = 600_000;
const TEST_MS = 900_000;
// The first run builds llama-server from source (tens of minutes of CPU on 2 cores) and fetches the model.
const BUILD_MS = 60 * 60_000;
const MAX_OUTPUT = 128;

let k: Kube;
let ns: string;
let local: LocalModel;

useNamespace('llm-local', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  local = await ensureLocalModel();
}, BUILD_MS);

beforeAll(async () => {
  // postgres without POSTGRES_PASSWORD: the rule engine offers no automatic fix for it, so any change that
  // reached the cluster would be the model's.
  await k.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('crash', { image: 'postgres:16', ports: [{ containerPort: 5432 }] }),
  });
  await waitFor(
    async () =>
      (await k.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=crash' })).items.some(
        (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0,
      ),
    { what: 'deployment/crash to restart', timeoutMs: 90_000 },
  );
});

const env = (proxy: RecordingProxy, extra: Record<string, string> = {}) => ({
  AUTOFIX_NAMESPACES: ns,
  OPENAI_API_KEY: 'sk-local-no-key',
  OPENAI_BASE_URL: proxy.url,
  AUTOFIX_MODEL: 'smollm2-135m-instruct',
  AUTOFIX_LLM_MAX_RETRIES: '0',
  AUTOFIX_MAX_ITERATIONS: '1',
  AUTOFIX_LLM_MAX_OUTPUT_TOKENS: String(MAX_OUTPUT),
  AUTOFIX_LLM_TIMEOUT_MS: String(CALL_MS),
  AUTOFIX_LLM_DIAGNOSIS_TIMEOUT_MS: String(CALL_MS),
  ...extra,
});

type Message = { role: string; content: string };
type Choice = { finish_reason: string; message: { content: string | null } };
type Timings = {
  prompt_n: number;
  prompt_per_second: number;
  predicted_n: number;
  predicted_per_second: number;
};

/** The one completion the investigation asked for, as the server answered it (reported for the record). */
function theCompletion(proxy: RecordingProxy, run: CliRun): Exchange {
  const calls = proxy.exchanges.filter((e) => e.path === '/chat/completions');
  // None recorded: the engine gave up before the server answered (its stderr says why).
  expect(calls, run.stderr.slice(-2_000)).toHaveLength(1);
  const call = calls[0]!;
  const t = call.response.timings as Timings | undefined;
  if (t)
    console.log(
      `llama-server: ${t.prompt_n} prompt tokens at ${t.prompt_per_second.toFixed(1)}/s, ${t.predicted_n} generated at ${t.predicted_per_second.toFixed(1)}/s, finish_reason ${choiceOf(call).finish_reason}`,
    );
  return call;
}
const choiceOf = (e: Exchange) => (e.response.choices as Choice[])[0]!;

/** What the server generated: cut at the token bound, or one JSON object the grammar shaped. */
function expectGrammarShaped(e: Exchange, format: 'json_schema' | 'json_object'): void {
  const choice = choiceOf(e);
  expect(['stop', 'length']).toContain(choice.finish_reason);
  if (choice.finish_reason !== 'stop') return;
  const reply = JSON.parse(choice.message.content ?? '') as unknown;
  expect(typeof reply).toBe('object');
  // Under json_schema the grammar is the parser's own schema: only value bounds and valueJson escape it.
  if (format === 'json_schema') {
    const issues = LlmOutput.safeParse(reply).error?.issues ?? [];
    expect(issues.filter((i) => !['too_big', 'too_small'].includes(i.code))).toEqual([]);
  }
}

describe('LLM engine against a real llama.cpp server (SmolLM2-135M)', () => {
  // One server for both calls, so its prompt cache keeps the shared system prompt.
  let server: LlamaServer;
  beforeAll(async () => {
    server = await startLlamaServer(local);
  });
  afterAll(() => server?.close());

  it(
    'fix --yes: the server takes the json_schema request with its bound and sampling; the answer ends as no_safe_fix or a refused change and nothing is applied',
    async () => {
      const proxy = await startRecordingProxy(server.url);
      try {
        const before = await k.apps.readNamespacedDeployment({ name: 'crash', namespace: ns });
        const replicaSets = async () =>
          (await k.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=crash' })).items.length;
        const setsBefore = await replicaSets();

        const r = await runCli('fix', 'deployment/crash', { namespace: ns, yes: true }, env(proxy));
        const call = theCompletion(proxy, r);
        expect(call.status).toBe(200);
        expect(call.request).toMatchObject({
          model: 'smollm2-135m-instruct',
          max_tokens: MAX_OUTPUT,
          temperature: 0.2,
          top_p: 0.9,
          response_format: { type: 'json_schema', json_schema: { strict: true } },
        });
        // The server applied what was sent, not its defaults (which loop to the end of the context).
        const slot = await server.lastSlot();
        expect(slot.params.n_predict).toBe(MAX_OUTPUT);
        expect(slot.params.temperature).toBeCloseTo(0.2, 5);
        expect(slot.params.top_p).toBeCloseTo(0.9, 5);
        expect((call.response.usage as { completion_tokens: number }).completion_tokens).toBeLessThanOrEqual(
          MAX_OUTPUT,
        );
        expectGrammarShaped(call, 'json_schema');

        expect(['no_safe_fix', 'refused']).toContain(r.json.outcome);
        expect(r.json.error).toBeNull();
        expect(r.json.apply).toBeNull();
        expect(r.code).not.toBe(0);
        expect(r.json.diagnosis?.rootCause).toBeTruthy();
        // Nothing reached the workload: same spec generation, same template, no new ReplicaSet.
        const after = await k.apps.readNamespacedDeployment({ name: 'crash', namespace: ns });
        expect(after.metadata?.generation).toBe(before.metadata?.generation);
        expect(after.spec?.template).toEqual(before.spec?.template);
        expect(await replicaSets()).toBe(setsBefore);
      } finally {
        await proxy.close();
      }
    },
    TEST_MS,
  );

  it(
    'json_object: the server takes the request, and the schema reaches the model even through a template that drops a trailing system message',
    async () => {
      const proxy = await startRecordingProxy(server.url);
      let messages: Message[];
      try {
        const r = await runCli(
          'diagnose',
          'deployment/crash',
          { namespace: ns },
          env(proxy, { AUTOFIX_LLM_RESPONSE_FORMAT: 'json_object' }),
        );
        expect(['no_safe_fix', 'refused', 'proposed']).toContain(r.json.outcome);
        const call = theCompletion(proxy, r);
        expect(call.status).toBe(200);
        expect(call.request.response_format).toEqual({ type: 'json_object' });
        messages = call.request.messages as Message[];
        expect(messages.filter((m) => m.role === 'system')).toHaveLength(1);
        expect(messages[0]?.role).toBe('system');
        expect(messages[0]?.content).toContain('Reply with exactly one JSON object');
        expectGrammarShaped(call, 'json_object');
      } finally {
        await proxy.close();
      }

      // gemma's built-in template keeps only a leading system message: rendering only, no generation.
      const gemma = await startLlamaServer(local, { chatTemplate: 'gemma' });
      try {
        const probe = await gemma.render([
          { role: 'system', content: 'LEADING-SYSTEM' },
          { role: 'user', content: 'USER-TURN' },
          { role: 'system', content: 'TRAILING-SYSTEM' },
        ]);
        expect(probe).toContain('LEADING-SYSTEM');
        expect(probe).not.toContain('TRAILING-SYSTEM');
        const rendered = await gemma.render(messages);
        expect(rendered).toContain('Reply with exactly one JSON object');
        expect(rendered).toContain('"rootCause"');
      } finally {
        await gemma.close();
      }
    },
    TEST_MS,
  );
});
