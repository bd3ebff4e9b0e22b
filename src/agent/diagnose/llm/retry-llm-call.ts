// Bounded retries of one LLM request: exponential back-off with jitter, honoring retry-after headers.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

export interface RetryPolicy {
  /** Total requests allowed, first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server asking for a longer wait than this is not waited for: falling back beats stalling. */
  maxRetryAfterMs: number;
  /** Injectable for deterministic tests; defaults to Math.random. */
  random?: () => number;
  /** Date.now() after which no attempt starts (the diagnosis's time limit); none when absent. */
  deadline?: number;
}

/** Less time than this left before the deadline is not worth another attempt. */
export const MIN_ATTEMPT_MS = 1_000;

export const DEFAULT_RETRY_DELAYS = { baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 } as const;

export interface LlmFailure {
  retryable: boolean;
  /** Short label for notes: "429", "timeout", "connection error". */
  label: string;
  detail: string | null;
  retryAfterMs: number | null;
}

export type RetryOutcome<T> =
  | { ok: true; value: T; attempts: number }
  | { ok: false; failure: LlmFailure; error: unknown; attempts: number };

function retryAfterMs(headers: Headers | undefined): number | null {
  const ms = Number(headers?.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers?.get('retry-after');
  if (!raw) return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function isRetryableStatus(status: number, headers: Headers | undefined): boolean {
  const hint = headers?.get('x-should-retry');
  if (hint === 'true') return true;
  if (hint === 'false') return false;
  return status === 408 || status === 429 || status >= 500;
}

/** What a thrown SDK error means for retrying; unknown errors are not retried. */
export function classifyLlmError(e: unknown): LlmFailure {
  // Timeout is a subclass of connection error, so it is checked first.
  if (e instanceof APIConnectionTimeoutError)
    return { retryable: true, label: 'timeout', detail: e.message, retryAfterMs: null };
  if (e instanceof APIConnectionError)
    return { retryable: true, label: 'connection error', detail: e.message, retryAfterMs: null };
  if (e instanceof APIError && typeof e.status === 'number') {
    return {
      retryable: isRetryableStatus(e.status, e.headers),
      label: String(e.status),
      detail: e.message,
      retryAfterMs: retryAfterMs(e.headers),
    };
  }
  return {
    retryable: false,
    label: 'unexpected error',
    detail: e instanceof Error ? e.message : String(e),
    retryAfterMs: null,
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** How long to wait before attempt `attempt + 1`, or null when the server's requested wait is too long. */
export function backoffMs(attempt: number, failure: LlmFailure, policy: RetryPolicy): number | null {
  if (failure.retryAfterMs !== null)
    return failure.retryAfterMs <= policy.maxRetryAfterMs ? failure.retryAfterMs : null;
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Jitter in [50%, 100%] keeps concurrent workers from retrying in lock-step.
  return exp * (0.5 + 0.5 * (policy.random ?? Math.random)());
}

/** Runs `call` up to `policy.maxAttempts` times; failures come back as data, caller aborts are rethrown. */
export async function retryLlmCall<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  signal?: AbortSignal,
): Promise<RetryOutcome<T>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { ok: true, value: await call(), attempts: attempt };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof APIUserAbortError) throw error;
      const failure = classifyLlmError(error);
      const wait =
        failure.retryable && attempt < policy.maxAttempts ? backoffMs(attempt, failure, policy) : null;
      if (wait === null) {
        const tooLong = failure.retryable && attempt < policy.maxAttempts;
        const detail = tooLong
          ? `server asked to wait ${Math.round((failure.retryAfterMs ?? 0) / 1000)}s; ${failure.detail ?? ''}`
          : failure.detail;
        return { ok: false, failure: { ...failure, detail }, error, attempts: attempt };
      }
      if (policy.deadline !== undefined && Date.now() + wait + MIN_ATTEMPT_MS > policy.deadline) {
        const detail = `no time left for another attempt within the diagnosis time limit; ${failure.detail ?? ''}`;
        return { ok: false, failure: { ...failure, detail }, error, attempts: attempt };
      }
      await sleep(wait, signal);
    }
  }
}
