// The chat-completions request: response format, output bound and sampling, adapted to what an endpoint accepts.
import type { zodResponseFormat } from 'openai/helpers/zod';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { LlmConfig } from '../../../config/config.js';
import type { LlmOutput } from './llm-output.js';

export type ResponseFormat = ReturnType<typeof zodResponseFormat<typeof LlmOutput>>;
type SamplingParam = 'temperature' | 'top_p' | 'frequency_penalty';

/** What one endpoint (base URL + model) was seen to refuse, so later requests are sent in a form it takes. */
export interface EndpointQuirks {
  format: 'json_schema' | 'json_object';
  /** OpenAI's reasoning models refuse max_tokens and name max_completion_tokens instead. */
  tokenParam: 'max_tokens' | 'max_completion_tokens';
  /** Sampling parameters the endpoint refused (reasoning models take only their defaults). */
  dropped: readonly SamplingParam[];
}

const SAMPLING: readonly SamplingParam[] = ['temperature', 'top_p', 'frequency_penalty'];

// Per process: an endpoint that refused something once is asked in the form it accepts from then on.
const seen = new Map<string, EndpointQuirks>();

export function quirksOf(endpoint: string): EndpointQuirks {
  return seen.get(endpoint) ?? { format: 'json_schema', tokenParam: 'max_tokens', dropped: [] };
}

export function rememberQuirks(endpoint: string, quirks: EndpointQuirks): void {
  seen.set(endpoint, quirks);
}

export function formatOf(config: LlmConfig, quirks: EndpointQuirks): EndpointQuirks['format'] {
  const forced = config.responseFormat ?? 'auto';
  return forced === 'auto' ? quirks.format : forced;
}

/**
 * json_object mode carries the schema in the prompt: appended to the first system message, since common chat
 * templates keep only a leading system message and silently drop one that follows the user turn.
 */
function withSchemaInstruction(
  messages: ChatCompletionMessageParam[],
  format: ResponseFormat,
): ChatCompletionMessageParam[] {
  const schema = JSON.stringify(format.json_schema.schema);
  const instruction = `Reply with exactly one JSON object, and nothing else, that validates against this JSON Schema:\n${schema}`;
  const [first, ...rest] = messages;
  if (first?.role === 'system' && typeof first.content === 'string')
    return [{ role: 'system', content: `${first.content}\n\n${instruction}` }, ...rest];
  return [{ role: 'system', content: instruction }, ...messages];
}

function sampling(config: LlmConfig, quirks: EndpointQuirks): Partial<Record<SamplingParam, number>> {
  const { temperature, topP, frequencyPenalty } = config.sampling;
  const values: Record<SamplingParam, number | null> = {
    temperature,
    top_p: topP,
    // 0 is every server's default: not sent, so servers without the parameter are not asked about it.
    frequency_penalty: frequencyPenalty === 0 ? null : frequencyPenalty,
  };
  return Object.fromEntries(
    SAMPLING.filter((p) => values[p] !== null && !quirks.dropped.includes(p)).map((p) => [p, values[p]]),
  );
}

/** The request body: the messages in the endpoint's response format, the output bound and the sampling. */
export function chatRequest(
  config: LlmConfig,
  quirks: EndpointQuirks,
  messages: ChatCompletionMessageParam[],
  format: ResponseFormat,
): ChatCompletionCreateParamsNonStreaming {
  const base = {
    model: config.model,
    [quirks.tokenParam]: config.maxOutputTokens,
    ...sampling(config, quirks),
  };
  if (formatOf(config, quirks) === 'json_schema') return { ...base, messages, response_format: format };
  return {
    ...base,
    messages: withSchemaInstruction(messages, format),
    response_format: { type: 'json_object' },
  };
}

const REFUSED = /unsupported|not supported|does not support|unrecognized|unknown (?:parameter|field)|extra/i;

/**
 * The quirks under which a 400 with this message would not recur (every adaptation it names at once), or
 * null when it names nothing we can leave out or switch.
 */
export function adaptTo400(
  config: LlmConfig,
  quirks: EndpointQuirks,
  detail: string | null,
): EndpointQuirks | null {
  const text = detail ?? '';
  const next: EndpointQuirks = { ...quirks };
  if (quirks.tokenParam === 'max_tokens' && /max_tokens/.test(text) && /max_completion_tokens/.test(text))
    next.tokenParam = 'max_completion_tokens';
  const refused = SAMPLING.filter(
    (p) => !quirks.dropped.includes(p) && new RegExp(`\\b${p}\\b`).test(text) && REFUSED.test(text),
  );
  if (refused.length > 0) next.dropped = [...quirks.dropped, ...refused];
  const auto = (config.responseFormat ?? 'auto') === 'auto';
  if (
    auto &&
    quirks.format === 'json_schema' &&
    /response_format|json_schema|structured output|schema/i.test(text)
  )
    next.format = 'json_object';
  const changed =
    next.tokenParam !== quirks.tokenParam || next.dropped !== quirks.dropped || next.format !== quirks.format;
  return changed ? next : null;
}
