// The LLM diagnosis engine: OpenAI-compatible chat completions with strict structured output, bounded retries.
import OpenAI, { type ClientOptions } from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { ChatCompletion, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { LlmConfig } from '../../../config/config.js';
import { NO_SPEND, addSpend, costOf, type Diagnosis, type LlmUsage } from '../../../domain/index.js';
import { buildPrompt } from './build-prompt.js';
import { DEFAULT_EVIDENCE_BUDGET_CHARS } from './compact-evidence.js';
import type { DiagnosisEngine, DiagnosisInput, EngineResult } from '../engine.js';
import { adaptTo400, chatRequest, quirksOf, rememberQuirks, type ResponseFormat } from './chat-request.js';
import { LlmOutput, parseLlmOutput } from './llm-output.js';
import { LlmUnavailableError } from './llm-unavailable-error.js';
import { ceilingHit, LlmCeilingError, promptTokenBound, reservedSpend } from './cost-ceiling.js';
import { DEFAULT_RETRY_DELAYS, MIN_ATTEMPT_MS, retryLlmCall, type LlmFailure } from './retry-llm-call.js';

export { createFallbackEngine } from '../fallback-engine.js';
export { LlmUnavailableError } from './llm-unavailable-error.js';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface LlmEngineDeps {
  config: LlmConfig;
  logPrompts: boolean;
  /** Injected in tests; otherwise built from config with SDK retries off (this engine retries itself). */
  client?: OpenAI;
  /** Back-off tuning; defaults suit real endpoints, tests shorten them. */
  retryDelays?: { baseDelayMs: number; maxDelayMs: number; maxRetryAfterMs: number };
  evidenceBudgetChars?: number;
}

interface Context {
  /** Identifies the endpoint in the per-process memory of what it accepts (chat-request.ts). */
  endpoint: string;
  client: OpenAI;
  config: LlmConfig;
  logPrompts: boolean;
  retryDelays: NonNullable<LlmEngineDeps['retryDelays']>;
  evidenceBudgetChars: number;
  responseFormat: ResponseFormat;
}

type CallResult =
  | { ok: true; completion: ChatCompletion; usage: LlmUsage }
  | { ok: false; failure: LlmFailure; error: unknown; usage: LlmUsage };

/** One logical call (its retries included), with its usage whether or not it succeeded. */
async function requestCompletion(
  ctx: Context,
  messages: ChatCompletionMessageParam[],
  call: { maxAttempts: number; deadline: number },
  signal?: AbortSignal,
): Promise<CallResult> {
  const started = performance.now();
  const body = chatRequest(ctx.config, quirksOf(ctx.endpoint), messages, ctx.responseFormat);
  const outcome = await retryLlmCall(
    () =>
      ctx.client.chat.completions.create(body, {
        signal,
        // Never past the diagnosis's time limit: the last attempt gets what is left of it.
        timeout: Math.max(MIN_ATTEMPT_MS, Math.min(ctx.config.timeoutMs, call.deadline - Date.now())),
        maxRetries: 0,
      }),
    { maxAttempts: call.maxAttempts, deadline: call.deadline, ...ctx.retryDelays },
    signal,
  );
  const completion = outcome.ok ? outcome.value : null;
  const promptTokens = completion?.usage?.prompt_tokens ?? 0;
  const completionTokens = completion?.usage?.completion_tokens ?? 0;
  const usage: LlmUsage = {
    model: ctx.config.model,
    latencySeconds: (performance.now() - started) / 1000,
    promptTokens,
    completionTokens,
    attempts: outcome.attempts,
    costUsd: costOf(ctx.config.price, promptTokens, completionTokens),
    responseModel: completion?.model ?? null,
  };
  return outcome.ok
    ? { ok: true, completion: outcome.value, usage }
    : { ok: false, failure: outcome.failure, error: outcome.error, usage };
}

type Reading =
  | { kind: 'ok'; diagnosis: Diagnosis }
  | { kind: 'fatal'; reason: string; detail: string | null }
  | { kind: 'cut'; content: string }
  | { kind: 'invalid'; error: string; content: string };

/** Interprets a completion; malformed or cut-off output is worth a corrective re-ask. */
function readCompletion(completion: ChatCompletion): Reading {
  // Non-conforming servers may omit `choices` despite the type.
  const choice = Array.isArray(completion.choices) ? completion.choices[0] : undefined;
  if (!choice) return { kind: 'fatal', reason: 'the response had no choices', detail: null };
  if (choice.message?.refusal)
    return { kind: 'fatal', reason: 'the model refused', detail: choice.message.refusal.slice(0, 300) };
  if (choice.finish_reason === 'length') return { kind: 'cut', content: choice.message?.content ?? '' };
  if (choice.finish_reason === 'content_filter') {
    return {
      kind: 'fatal',
      reason: 'the output was blocked by the content filter',
      detail: 'finish_reason content_filter',
    };
  }
  const content = choice.message?.content ?? '';
  const parsed = parseLlmOutput(content);
  return parsed.ok
    ? { kind: 'ok', diagnosis: parsed.diagnosis }
    : { kind: 'invalid', error: parsed.error, content };
}

const HINTS: Record<string, string> = {
  '400':
    'The endpoint may not support strict structured output (response_format json_schema) for this model.',
  '401': 'Check OPENAI_API_KEY.',
  '403': 'Check OPENAI_API_KEY and its access to the model.',
  '404': 'Check AUTOFIX_MODEL and OPENAI_BASE_URL.',
};

function transportError(call: Extract<CallResult, { ok: false }>, usage: LlmUsage[]): LlmUnavailableError {
  const n = call.usage.attempts;
  const reason = `${call.failure.label} after ${n} attempt${n === 1 ? '' : 's'}`;
  const hint = HINTS[call.failure.label];
  return new LlmUnavailableError(reason, call.failure.detail, usage, {
    cause: call.error,
    ...(hint ? { hint } : {}),
  });
}

/** What is worth one corrective re-ask: a reply that does not parse, and one cut off at the token bound. */
type Retake = Extract<Reading, { kind: 'cut' | 'invalid' }>;

/** How much of an unusable reply goes back to the model: enough to see what it did, not its whole loop. */
const ECHO_CHARS = 2_000;

/** The unusable reply (so turns alternate, as chat templates require) and what to do instead. */
function correction(ctx: Context, r: Retake): ChatCompletionMessageParam[] {
  const echo = r.content.length > ECHO_CHARS ? `${r.content.slice(0, ECHO_CHARS)}…` : r.content;
  const ask =
    r.kind === 'cut'
      ? `Your reply was cut off at the ${ctx.config.maxOutputTokens}-token limit before the JSON object was complete. Reply again with one complete JSON object that matches the response schema, much shorter: one sentence each for rootCause and summary, and no repetition.`
      : `Your reply could not be used: ${r.error}. Reply again with exactly one JSON object that matches the response schema.`;
  return [
    { role: 'assistant', content: echo },
    { role: 'user', content: ask },
  ];
}

function giveUp(r: Retake, again: boolean, why: string | null, usage: LlmUsage[]): LlmUnavailableError {
  const what = r.kind === 'cut' ? 'the output was cut off at the token limit' : 'invalid output';
  const reason = again ? `${what} after a corrective re-ask` : why ? `${what} (${why})` : what;
  return new LlmUnavailableError(reason, r.kind === 'cut' ? 'finish_reason length' : r.error, usage);
}

async function diagnoseWithLlm(
  ctx: Context,
  input: DiagnosisInput,
  signal?: AbortSignal,
): Promise<EngineResult> {
  let messages = buildPrompt(input, ctx.evidenceBudgetChars);
  const usage: LlmUsage[] = [];
  const deadline = Date.now() + ctx.config.diagnosisTimeoutMs;
  const timeLeft = () => deadline - Date.now() >= MIN_ATTEMPT_MS;
  // One budget for transport retries and corrective re-asks, so a bad endpoint cannot multiply calls.
  let budget = ctx.config.maxRetries + 1;
  const reasked = new Set<Retake['kind']>();
  for (;;) {
    // The investigation's ceilings, before every call: what it used so far plus this call's bound.
    const before = addSpend(input.spent ?? NO_SPEND, usage);
    const bound = promptTokenBound(messages);
    const hit = ceilingHit(ctx.config, before, bound);
    if (hit) throw new LlmCeilingError(hit, usage);
    await input.keepSpend?.(reservedSpend(ctx.config, before, bound));
    const call = await requestCompletion(ctx, messages, { maxAttempts: budget, deadline }, signal);
    usage.push(call.usage);
    await input.keepSpend?.(addSpend(input.spent ?? NO_SPEND, usage));
    budget -= call.usage.attempts;
    if (!call.ok) {
      // A 400 naming something the endpoint does not take: the same question again, in a form it takes.
      const quirks = quirksOf(ctx.endpoint);
      const adapted =
        call.failure.label === '400' ? adaptTo400(ctx.config, quirks, call.failure.detail) : null;
      if (adapted && budget > 0 && timeLeft()) {
        rememberQuirks(ctx.endpoint, adapted);
        continue;
      }
      throw transportError(call, usage);
    }
    const reading = readCompletion(call.completion);
    if (reading.kind === 'ok') {
      const exchange = ctx.logPrompts ? { prompt: messages, completion: call.completion } : null;
      return { diagnosis: reading.diagnosis, usage, exchange };
    }
    if (reading.kind === 'fatal') throw new LlmUnavailableError(reading.reason, reading.detail, usage);
    const again = reasked.has(reading.kind);
    const why = budget <= 0 ? null : timeLeft() ? null : 'no time left for a corrective re-ask';
    if (again || budget <= 0 || why) throw giveUp(reading, again, why, usage);
    reasked.add(reading.kind);
    messages = [...messages, ...correction(ctx, reading)];
  }
}

type Fetch = NonNullable<ClientOptions['fetch']>;

/**
 * undici's fetch with no header or body time limit of its own. Node's global fetch gives up on an answer
 * whose headers take 300 s (a non-streamed CPU completion sends none until it is done), below what
 * AUTOFIX_LLM_TIMEOUT_MS allows; here the engine's timeout alone decides.
 */
export function fetchWithoutTransportTimeouts(): Fetch {
  const dispatcher = new Agent({ headersTimeout: 0, bodyTimeout: 0 });
  return ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(input, { ...init, dispatcher })) as unknown as Fetch;
}

export function createLlmEngine(deps: LlmEngineDeps): DiagnosisEngine {
  const { config } = deps;
  const client =
    deps.client ??
    new OpenAI({
      apiKey: config.apiKey,
      baseURL: config.baseUrl ?? DEFAULT_BASE_URL,
      timeout: config.timeoutMs,
      maxRetries: 0,
      fetch: fetchWithoutTransportTimeouts(),
    });
  const ctx: Context = {
    endpoint: `${config.baseUrl ?? DEFAULT_BASE_URL} ${config.model}`,
    client,
    config,
    logPrompts: deps.logPrompts,
    retryDelays: deps.retryDelays ?? DEFAULT_RETRY_DELAYS,
    evidenceBudgetChars: deps.evidenceBudgetChars ?? DEFAULT_EVIDENCE_BUDGET_CHARS,
    responseFormat: zodResponseFormat(LlmOutput, 'diagnosis'),
  };
  return {
    name: 'llm',
    model: config.model,
    diagnose: (input, signal) => diagnoseWithLlm(ctx, input, signal),
  };
}
