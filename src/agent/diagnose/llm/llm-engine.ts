// The LLM diagnosis engine: OpenAI-compatible chat completions with strict structured output, bounded retries.
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { ChatCompletion, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { LlmConfig } from '../../../config/config.js';
import type { Diagnosis, LlmUsage } from '../../../domain/index.js';
import { buildPrompt } from './build-prompt.js';
import { DEFAULT_EVIDENCE_BUDGET_CHARS } from './compact-evidence.js';
import type { DiagnosisEngine, DiagnosisInput, EngineResult } from '../engine.js';
import { LlmOutput, parseLlmOutput } from './llm-output.js';
import { LlmUnavailableError } from './llm-unavailable-error.js';
import { DEFAULT_RETRY_DELAYS, retryLlmCall, type LlmFailure } from './retry-llm-call.js';

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
  /** Identifies the endpoint in the per-process memory of which response format it accepts. */
  endpoint: string;
  client: OpenAI;
  config: LlmConfig;
  logPrompts: boolean;
  retryDelays: NonNullable<LlmEngineDeps['retryDelays']>;
  evidenceBudgetChars: number;
  responseFormat: ReturnType<typeof zodResponseFormat<typeof LlmOutput>>;
}

type CallResult =
  | { ok: true; completion: ChatCompletion; usage: LlmUsage }
  | { ok: false; failure: LlmFailure; error: unknown; usage: LlmUsage };

/**
 * The request in the endpoint's response format: strict json_schema, or (for servers that reject it)
 * json_object with the same schema spelled out in a system message; the reply is validated the same way.
 */
function withFormat(ctx: Context, messages: ChatCompletionMessageParam[]) {
  const { model } = ctx.config;
  if (formatOf(ctx) === 'json_schema') return { model, messages, response_format: ctx.responseFormat };
  const schema = JSON.stringify(ctx.responseFormat.json_schema.schema);
  const instruction: ChatCompletionMessageParam = {
    role: 'system',
    content: `Reply with exactly one JSON object, and nothing else, that validates against this JSON Schema:\n${schema}`,
  };
  return { model, messages: [...messages, instruction], response_format: { type: 'json_object' as const } };
}

/** One logical call (its retries included), with its usage whether or not it succeeded. */
async function requestCompletion(
  ctx: Context,
  messages: ChatCompletionMessageParam[],
  maxAttempts: number,
  signal?: AbortSignal,
): Promise<CallResult> {
  const started = performance.now();
  const outcome = await retryLlmCall(
    () =>
      ctx.client.chat.completions.create(withFormat(ctx, messages), {
        signal,
        timeout: ctx.config.timeoutMs,
        maxRetries: 0,
      }),
    { maxAttempts, ...ctx.retryDelays },
    signal,
  );
  const completion = outcome.ok ? outcome.value : null;
  const usage: LlmUsage = {
    model: ctx.config.model,
    latencySeconds: (performance.now() - started) / 1000,
    promptTokens: completion?.usage?.prompt_tokens ?? 0,
    completionTokens: completion?.usage?.completion_tokens ?? 0,
    attempts: outcome.attempts,
  };
  return outcome.ok
    ? { ok: true, completion: outcome.value, usage }
    : { ok: false, failure: outcome.failure, error: outcome.error, usage };
}

type Reading =
  | { kind: 'ok'; diagnosis: Diagnosis }
  | { kind: 'fatal'; reason: string; detail: string | null }
  | { kind: 'invalid'; error: string; content: string };

/** Interprets a completion; only malformed output is worth a corrective re-ask. */
function readCompletion(completion: ChatCompletion): Reading {
  // Non-conforming servers may omit `choices` despite the type.
  const choice = Array.isArray(completion.choices) ? completion.choices[0] : undefined;
  if (!choice) return { kind: 'fatal', reason: 'the response had no choices', detail: null };
  if (choice.message?.refusal)
    return { kind: 'fatal', reason: 'the model refused', detail: choice.message.refusal.slice(0, 300) };
  if (choice.finish_reason === 'length') {
    return {
      kind: 'fatal',
      reason: 'the output was cut off at the token limit',
      detail: 'finish_reason length',
    };
  }
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

function correction(error: string): ChatCompletionMessageParam {
  return {
    role: 'user',
    content: `Your reply could not be used: ${error}. Reply again with exactly one JSON object that matches the response schema.`,
  };
}

// Endpoints (base URL + model) seen rejecting json_schema in this process: asked with json_object from then on.
const jsonObjectEndpoints = new Set<string>();

function formatOf(ctx: Context): 'json_schema' | 'json_object' {
  const forced = ctx.config.responseFormat ?? 'auto';
  if (forced !== 'auto') return forced;
  return jsonObjectEndpoints.has(ctx.endpoint) ? 'json_object' : 'json_schema';
}

/** A 400 that names the structured-output parameter: the server does not support strict json_schema. */
function rejectsJsonSchema(ctx: Context, call: Extract<CallResult, { ok: false }>): boolean {
  return (
    (ctx.config.responseFormat ?? 'auto') === 'auto' &&
    formatOf(ctx) === 'json_schema' &&
    call.failure.label === '400' &&
    /response_format|json_schema|structured output|schema/i.test(call.failure.detail ?? '')
  );
}

async function diagnoseWithLlm(
  ctx: Context,
  input: DiagnosisInput,
  signal?: AbortSignal,
): Promise<EngineResult> {
  let messages = buildPrompt(input, ctx.evidenceBudgetChars);
  const usage: LlmUsage[] = [];
  // One budget for transport retries and the corrective re-ask, so a bad endpoint cannot multiply calls.
  let budget = ctx.config.maxRetries + 1;
  for (let ask = 1; ; ask++) {
    const call = await requestCompletion(ctx, messages, budget, signal);
    usage.push(call.usage);
    budget -= call.usage.attempts;
    if (!call.ok && rejectsJsonSchema(ctx, call) && budget > 0) {
      jsonObjectEndpoints.add(ctx.endpoint);
      ask -= 1; // the same question again, in the format the server accepts
      continue;
    }
    if (!call.ok) throw transportError(call, usage);
    const reading = readCompletion(call.completion);
    if (reading.kind === 'ok') {
      const exchange = ctx.logPrompts ? { prompt: messages, completion: call.completion } : null;
      return { diagnosis: reading.diagnosis, usage, exchange };
    }
    if (reading.kind === 'fatal') throw new LlmUnavailableError(reading.reason, reading.detail, usage);
    if (ask > 1 || budget <= 0) {
      const reason = ask > 1 ? 'invalid output after a corrective re-ask' : 'invalid output';
      throw new LlmUnavailableError(reason, reading.error, usage);
    }
    messages = [...messages, { role: 'assistant', content: reading.content }, correction(reading.error)];
  }
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
