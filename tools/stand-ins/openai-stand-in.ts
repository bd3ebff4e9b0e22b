// A local server speaking OpenAI's chat-completions wire protocol, answering from a script the test pushes.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted answer; fields combine, e.g. `{ delayMs: 500, json: {...} }`. */
export interface ScriptedReply {
  /** Message content is JSON.stringify(json). */
  json?: unknown;
  /** Message content verbatim (e.g. 'not json'). */
  raw?: string;
  /** A refusal message: content null. */
  refusal?: string;
  /** Default 'stop'; 'length' without content sends a cut-off JSON prefix. */
  finishReason?: 'stop' | 'length' | 'content_filter';
  /** A non-2xx status answers with an OpenAI-shaped error body. */
  status?: number;
  headers?: Record<string, string>;
  /** Wait before answering (client timeouts). */
  delayMs?: number;
  /** Answer 200 with `choices: []`. */
  noChoices?: boolean;
  usage?: { promptTokens: number; completionTokens: number };
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or the raw text when it did not parse. */
  body: unknown;
  /** Protocol problems found in the request; non-empty means it was answered 400 or 401. */
  problems: string[];
  /** The messages as the emulated chat template renders them to the model (see `chatTemplate`). */
  seenByModel: unknown[];
}

export interface OpenAiStandIn {
  /** Base URL including `/v1`, as the SDK's `baseURL` expects. */
  url: string;
  apiKey: string;
  requests: RecordedRequest[];
  push(...replies: ScriptedReply[]): void;
  /** Resolves once at least `count` requests have been received. */
  waitForRequests(count: number): Promise<void>;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Strict-mode rules OpenAI enforces: every object closed and every property required. */
export function strictSchemaProblems(schema: unknown, at = '$'): string[] {
  if (Array.isArray(schema)) return schema.flatMap((s, i) => strictSchemaProblems(s, `${at}[${i}]`));
  if (!isObject(schema)) return [];
  const problems: string[] = [];
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.includes('object') || isObject(schema.properties)) {
    if (schema.additionalProperties !== false) problems.push(`${at}: additionalProperties must be false`);
    const props = Object.keys(isObject(schema.properties) ? schema.properties : {});
    const required = Array.isArray(schema.required) ? schema.required : [];
    for (const p of props)
      if (!required.includes(p)) problems.push(`${at}.${p}: must be required in strict mode`);
  }
  for (const key of ['properties', '$defs', 'definitions'] as const) {
    const group = schema[key];
    if (isObject(group))
      for (const [k, v] of Object.entries(group)) problems.push(...strictSchemaProblems(v, `${at}.${k}`));
  }
  for (const key of ['items', 'anyOf', 'oneOf', 'allOf'] as const) {
    if (schema[key] !== undefined) problems.push(...strictSchemaProblems(schema[key], `${at}.${key}`));
  }
  return problems;
}

/** How the stand-in treats `response_format`: like OpenAI, or like a local server without json_schema support. */
export type SchemaSupport = 'strict' | 'json_object_only';

/**
 * The model family's parameter rules: `chat` takes max_tokens and sampling; `reasoning` answers like OpenAI's
 * o-series (max_tokens refused in favour of max_completion_tokens, sampling only at its defaults).
 */
export type ModelKind = 'chat' | 'reasoning';

/**
 * How the chat template renders messages: `all` keeps them; `leading-system-only` keeps a system message
 * only before the first other turn and silently drops later ones, as several common templates do.
 */
export type ChatTemplate = 'all' | 'leading-system-only';

export function renderForModel(messages: unknown, template: ChatTemplate = 'all'): unknown[] {
  if (!Array.isArray(messages)) return [];
  if (template === 'all') return messages;
  const firstOther = messages.findIndex((m) => !isObject(m) || m.role !== 'system');
  return messages.filter(
    (m, i) => i < firstOther || firstOther === -1 || !isObject(m) || m.role !== 'system',
  );
}

/** OpenAI's ranges for the sampling parameters and the output bound; out of range is a 400. */
const NUMBER_RULES: Array<{ key: string; min: number; max: number; integer?: boolean }> = [
  { key: 'temperature', min: 0, max: 2 },
  { key: 'top_p', min: 0, max: 1 },
  { key: 'frequency_penalty', min: -2, max: 2 },
  { key: 'presence_penalty', min: -2, max: 2 },
  { key: 'max_tokens', min: 1, max: 128_000, integer: true },
  { key: 'max_completion_tokens', min: 1, max: 128_000, integer: true },
];

function parameterProblems(body: Json, kind: ModelKind): string[] {
  const problems: string[] = [];
  for (const { key, min, max, integer } of NUMBER_RULES) {
    const v = body[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || (integer && !Number.isInteger(v)) || v < min || v > max)
      problems.push(
        `Invalid '${key}': expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}.`,
      );
  }
  if (kind === 'reasoning') {
    if (body.max_tokens !== undefined)
      problems.push(
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      );
    for (const [key, def] of [
      ['temperature', 1],
      ['top_p', 1],
      ['frequency_penalty', 0],
    ] as const)
      if (body[key] !== undefined && body[key] !== def)
        problems.push(
          `Unsupported value: '${key}' does not support ${String(body[key])} with this model. Only the default (${def}) value is supported.`,
        );
  }
  return problems;
}

/** The output bound the request sets, if any. */
function outputBound(body: Json): number | null {
  const v = body.max_completion_tokens ?? body.max_tokens;
  return typeof v === 'number' ? v : null;
}

// OpenAI's rule for JSON mode: the word must appear in the messages, or the request is refused.
function mentionsJson(messages: unknown): boolean {
  return (
    Array.isArray(messages) && messages.some((m) => isObject(m) && /json/i.test(String(m.content ?? '')))
  );
}

export function requestProblems(
  body: unknown,
  support: SchemaSupport = 'strict',
  kind: ModelKind = 'chat',
): string[] {
  if (!isObject(body)) return ['body must be a JSON object'];
  const problems: string[] = parameterProblems(body, kind);
  if (typeof body.model !== 'string' || body.model === '') problems.push('model is required');
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    problems.push('messages must be a non-empty array');
  const format = body.response_format;
  const jsonSchema = isObject(format) ? format.json_schema : undefined;
  if (isObject(format) && format.type === 'json_object') {
    if (!mentionsJson(body.messages))
      problems.push(
        "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
      );
  } else if (isObject(format) && format.type === 'json_schema' && support === 'json_object_only')
    problems.push("response_format type 'json_schema' is not supported by this server; use 'json_object'");
  else if (!isObject(format) || format.type !== 'json_schema')
    problems.push("response_format.type must be 'json_schema' or 'json_object'");
  else if (!isObject(jsonSchema) || jsonSchema.strict !== true)
    problems.push('response_format.json_schema.strict must be true');
  else problems.push(...strictSchemaProblems(jsonSchema.schema));
  return problems;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.writableEnded) return; // the client gave up (timeout): nothing to answer
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const errorBody = (message: string, type: string, code: string | null): Json => ({
  error: { message, type, param: null, code },
});

/** Tokens as the stand-in counts them: four characters each, like OpenAI's rule of thumb. */
const tokensOf = (text: string): number => Math.ceil(text.length / 4);

function completionFor(reply: ScriptedReply, body: Json, seq: number): Json {
  let finishReason = reply.finishReason ?? 'stop';
  let content =
    reply.refusal !== undefined
      ? null
      : reply.raw !== undefined
        ? reply.raw
        : reply.json !== undefined
          ? JSON.stringify(reply.json)
          : finishReason === 'length'
            ? '{"category":"oom_killed","rootCause":"The container'
            : '{}';
  // A reply longer than the request's bound is cut there, as a server stops generating at max_tokens.
  const bound = outputBound(body);
  if (content !== null && bound !== null && tokensOf(content) > bound) {
    content = content.slice(0, bound * 4);
    finishReason = 'length';
  }
  const promptTokens = reply.usage?.promptTokens ?? tokensOf(JSON.stringify(body.messages ?? []));
  const completionTokens = reply.usage?.completionTokens ?? tokensOf(content ?? reply.refusal ?? '');
  const message = { role: 'assistant', content, refusal: reply.refusal ?? null, annotations: [] };
  return {
    id: `chatcmpl-standin-${seq}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: typeof body.model === 'string' ? body.model : 'unknown',
    choices: reply.noChoices ? [] : [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
    system_fingerprint: 'fp_stand_in',
  };
}

function answer(res: ServerResponse, reply: ScriptedReply, body: Json, seq: number): void {
  if (reply.status !== undefined && (reply.status < 200 || reply.status > 299)) {
    send(
      res,
      reply.status,
      errorBody(`stand-in scripted status ${reply.status}`, 'server_error', null),
      reply.headers,
    );
  } else {
    send(res, reply.status ?? 200, completionFor(reply, body, seq), reply.headers);
  }
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function startOpenAiStandIn(
  options: {
    apiKey?: string;
    schemaSupport?: SchemaSupport;
    modelKind?: ModelKind;
    chatTemplate?: ChatTemplate;
  } = {},
): Promise<OpenAiStandIn> {
  const apiKey = options.apiKey ?? 'sk-stand-in-test-key';
  const requests: RecordedRequest[] = [];
  const script: ScriptedReply[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const waiters: Array<{ count: number; resolve: () => void }> = [];

  function record(r: RecordedRequest): void {
    requests.push(r);
    for (const w of waiters.filter((x) => requests.length >= x.count)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const body = await readBody(req);
    const seenByModel = renderForModel(isObject(body) ? body.messages : undefined, options.chatTemplate);
    const rec: RecordedRequest = {
      method: req.method ?? '',
      path,
      headers: req.headers,
      body,
      problems: [],
      seenByModel,
    };
    if (req.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/chat/completions')) {
      record(rec);
      return send(
        res,
        404,
        errorBody(`Unknown request URL: ${req.method} ${path}`, 'invalid_request_error', 'unknown_url'),
      );
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      record({ ...rec, problems: ['missing or wrong Authorization bearer token'] });
      return send(
        res,
        401,
        errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'),
      );
    }
    rec.problems = requestProblems(body, options.schemaSupport, options.modelKind);
    record(rec);
    if (rec.problems.length > 0)
      return send(res, 400, errorBody(rec.problems.join('; '), 'invalid_request_error', null));
    const reply = script.shift();
    if (!reply)
      return send(
        res,
        418,
        errorBody('stand-in script exhausted: push a reply first', 'stand_in_error', null),
      );
    const go = (): void => answer(res, reply, body as Json, requests.length);
    if (!reply.delayMs) return go();
    const timer = setTimeout(() => {
      timers.delete(timer);
      go();
    }, reply.delayMs);
    timers.add(timer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) =>
      send(res, 500, errorBody(`stand-in crashed: ${String(e)}`, 'stand_in_error', null)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    apiKey,
    requests,
    push: (...replies) => void script.push(...replies),
    waitForRequests: (count) =>
      requests.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const v of value) yield* strings(v);
  else if (isObject(value)) for (const v of Object.values(value)) yield* strings(v);
}

/** Throws if any secret appears in any string of a recorded request body (the messages sent to the model). */
export function assertNoSecret(requests: RecordedRequest[], secrets: string[]): void {
  requests.forEach((r, i) => {
    // Decoded strings, not the JSON text, so escaping cannot hide a secret containing quotes or newlines.
    const texts = [...strings(r.body)];
    for (const s of secrets) {
      // Report only a prefix so the failure message does not itself leak the secret.
      if (s.length > 0 && texts.some((t) => t.includes(s)))
        throw new Error(`secret "${s.slice(0, 4)}…" found in request ${i} body`);
    }
  });
}
