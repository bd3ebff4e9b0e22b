// retryLlmCall: which failures are retried, back-off bounds, retry-after handling.
import { APIConnectionTimeoutError, APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  classifyLlmError,
  retryLlmCall,
} from '../../../../../src/agent/diagnose/llm/retry-llm-call.js';

const apiError = (status: number, headers: Record<string, string> = {}): APIError =>
  APIError.generate(status, { message: `status ${status}` }, undefined, new Headers(headers));
const POLICY = {
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxRetryAfterMs: 5_000,
  random: () => 1,
};

describe('classifyLlmError', () => {
  it.each([
    [apiError(429), true],
    [apiError(500), true],
    [apiError(503), true],
    [apiError(400), false],
    [apiError(401), false],
    [apiError(403), false],
    [apiError(404), false],
    [apiError(500, { 'x-should-retry': 'false' }), false],
    [new APIConnectionTimeoutError(), true],
    [new Error('boom'), false],
  ])('%s → retryable %s', (error, retryable) => {
    expect(classifyLlmError(error).retryable).toBe(retryable);
  });

  it('reads retry-after-ms, retry-after seconds and dates', () => {
    expect(classifyLlmError(apiError(429, { 'retry-after-ms': '250' })).retryAfterMs).toBe(250);
    expect(classifyLlmError(apiError(429, { 'retry-after': '2' })).retryAfterMs).toBe(2_000);
    const date = new Date(Date.now() + 60_000).toUTCString();
    expect(classifyLlmError(apiError(429, { 'retry-after': date })).retryAfterMs).toBeGreaterThan(50_000);
  });
});

describe('backoffMs', () => {
  const failure = { retryable: true, label: '500', detail: null, retryAfterMs: null };
  it('grows exponentially up to the cap, with jitter in [50%, 100%]', () => {
    expect([1, 2, 3, 5].map((n) => backoffMs(n, failure, POLICY))).toEqual([100, 200, 400, 1_000]);
    expect(backoffMs(1, failure, { ...POLICY, random: () => 0 })).toBe(50);
  });
  it('honours retry-after up to the limit', () => {
    expect(backoffMs(1, { ...failure, retryAfterMs: 3_000 }, POLICY)).toBe(3_000);
    expect(backoffMs(1, { ...failure, retryAfterMs: 6_000 }, POLICY)).toBeNull();
  });
});

describe('retryLlmCall', () => {
  const fast = { ...POLICY, baseDelayMs: 1, maxDelayMs: 1 };
  it('returns the first success with its attempt count', async () => {
    let n = 0;
    const out = await retryLlmCall(async () => (++n < 3 ? Promise.reject(apiError(502)) : 'ok'), fast);
    expect(out).toEqual({ ok: true, value: 'ok', attempts: 3 });
  });
  it('stops at once on a non-retryable error', async () => {
    const out = await retryLlmCall(() => Promise.reject(apiError(400)), fast);
    expect(out).toMatchObject({ ok: false, attempts: 1, failure: { label: '400', retryable: false } });
  });
});
