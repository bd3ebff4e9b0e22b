// HTTP to an MLflow server: auth headers, a deadline per attempt, bounded retries, error JSON → MlflowError.
import { Agent, fetch, type RequestInit, type Response } from 'undici';
import { z } from 'zod';
import type { MlflowConfig } from '../config/config.js';
import { MlflowError } from './mlflow-error.js';

export interface MlflowHttpOptions {
  /** Deadline of one attempt (connect + answer + body), ms. */
  timeoutMs?: number;
  /** Attempts per call, retrying 429, 5xx and connection errors. Timeouts are not retried. */
  attempts?: number;
  /** First back-off, doubled per retry; a server's Retry-After is honoured up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the tracking URI, beginning with `/`, already encoded. */
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  body?: Uint8Array | string;
  contentType?: string;
  headers?: Record<string, string>;
  /** This call's deadline instead of the client's: an endpoint that does more work per call than the rest. */
  timeoutMs?: number;
}

export interface HttpAnswer {
  status: number;
  text: string;
}

export interface MlflowHttp {
  readonly baseUrl: string;
  /** Sends; a non-2xx answer after the retries throws MlflowError. */
  send(req: HttpRequest): Promise<HttpAnswer>;
  /** Sends and validates the JSON answer with `schema` (the source of truth for MLflow's responses). */
  json<S extends z.ZodType>(req: HttpRequest, schema: S): Promise<z.infer<S>>;
}

/** MLflow's error body: `{"error_code": "...", "message": "..."}`. */
export const MlflowErrorBody = z.object({ error_code: z.string(), message: z.string().optional() });

/** `MLFLOW_TRACKING_TOKEN` → bearer; else username/password → basic; else nothing. */
export function authHeaders(
  config: Pick<MlflowConfig, 'token' | 'username' | 'password'>,
): Record<string, string> {
  if (config.token) return { authorization: `Bearer ${config.token}` };
  if (config.username) {
    const basic = Buffer.from(`${config.username}:${config.password ?? ''}`, 'utf8').toString('base64');
    return { authorization: `Basic ${basic}` };
  }
  return {};
}

const RETRYABLE_STATUS = (s: number): boolean => s === 429 || s >= 500;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function httpError(req: HttpRequest, status: number, text: string): MlflowError {
  let parsed: z.infer<typeof MlflowErrorBody> | null = null;
  try {
    const r = MlflowErrorBody.safeParse(JSON.parse(text));
    parsed = r.success ? r.data : null;
  } catch {
    parsed = null;
  }
  const detail = parsed ? `${parsed.error_code}: ${parsed.message ?? ''}` : text.replace(/\s+/g, ' ');
  return new MlflowError(
    'http',
    `MLflow ${req.method} ${req.path} answered ${status} ${detail.slice(0, 500)}`.trim(),
    {
      status,
      errorCode: parsed?.error_code ?? null,
    },
  );
}

function thrownError(req: HttpRequest, e: unknown, timeoutMs: number): MlflowError {
  const name = e instanceof Error ? e.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new MlflowError(
      'timeout',
      `MLflow ${req.method} ${req.path} did not answer within ${timeoutMs} ms`,
      { cause: e },
    );
  }
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e);
  return new MlflowError('network', `MLflow ${req.method} ${req.path} is unreachable: ${cause}`, {
    cause: e,
  });
}

function retryAfterMs(res: Response): number | null {
  const raw = res.headers.get('retry-after');
  const secs = raw === null ? NaN : Number(raw);
  return Number.isFinite(secs) && secs >= 0 ? secs * 1000 : null;
}

function buildInit(
  req: HttpRequest,
  auth: Record<string, string>,
  timeoutMs: number,
  dispatcher: Agent,
): RequestInit {
  const headers: Record<string, string> = { ...auth, ...req.headers };
  let body: RequestInit['body'];
  if (req.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(req.json);
  } else if (req.body !== undefined) {
    headers['content-type'] = req.contentType ?? 'application/octet-stream';
    body = req.body;
  }
  return {
    method: req.method,
    headers,
    body,
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'follow',
    dispatcher,
  };
}

export function createMlflowHttp(
  config: Pick<MlflowConfig, 'trackingUri' | 'token' | 'username' | 'password'>,
  opts: MlflowHttpOptions = {},
): MlflowHttp {
  const baseUrl = config.trackingUri.replace(/\/+$/, '');
  const auth = authHeaders(config);
  const timeoutMs = opts.timeoutMs ?? 5000;
  const attempts = Math.max(1, opts.attempts ?? 3);
  const backoffMs = opts.backoffMs ?? 200;
  const maxBackoffMs = opts.maxBackoffMs ?? 2000;
  // One keep-alive pool per client: a run logs many small batches to the same server.
  const dispatcher = new Agent({ keepAliveTimeout: 10_000, connections: 8 });

  async function send(req: HttpRequest): Promise<HttpAnswer> {
    const qs = req.query ? `?${new URLSearchParams(req.query).toString()}` : '';
    const url = `${baseUrl}${req.path}${qs}`;
    const deadlineMs = req.timeoutMs ?? timeoutMs;
    for (let attempt = 1; ; attempt++) {
      let wait = backoffMs * 2 ** (attempt - 1);
      let failure: MlflowError;
      try {
        const res = await fetch(url, buildInit(req, auth, deadlineMs, dispatcher));
        const text = await res.text();
        if (res.ok) return { status: res.status, text };
        failure = httpError(req, res.status, text);
        if (!RETRYABLE_STATUS(res.status)) throw failure;
        wait = retryAfterMs(res) ?? wait;
      } catch (e) {
        if (e instanceof MlflowError) throw e;
        failure = thrownError(req, e, deadlineMs);
        // A server too slow once will be too slow again: waiting more would only stall the agent.
        if (failure.failure === 'timeout') throw failure;
      }
      if (attempt >= attempts) throw failure;
      await sleep(Math.min(wait, maxBackoffMs));
    }
  }

  async function json<S extends z.ZodType>(req: HttpRequest, schema: S): Promise<z.infer<S>> {
    const answer = await send(req);
    let parsed: unknown;
    try {
      parsed = answer.text === '' ? {} : JSON.parse(answer.text);
    } catch (e) {
      throw new MlflowError('invalid_response', `MLflow ${req.method} ${req.path} answered non-JSON`, {
        cause: e,
      });
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      throw new MlflowError(
        'invalid_response',
        `MLflow ${req.method} ${req.path} answered an unexpected shape: ${result.error.message.slice(0, 300)}`,
        {
          status: answer.status,
        },
      );
    }
    return result.data;
  }

  return { baseUrl, send, json };
}
