// The MLflow HTTP layer against a failing stand-in: auth headers, retries, deadlines, typed errors.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { authHeaders, createMlflowHttp } from '../../../src/tracking/mlflow-http.js';
import { MlflowError } from '../../../src/tracking/mlflow-error.js';
import { ErrorCode } from '../../../src/domain/index.js';
import {
  closedPort,
  mlflowError,
  startMlflowFailureServer,
  type MlflowFailureServer,
} from '../../../tools/stand-ins/mlflow-failure-server.js';

const noAuth = { token: null, username: null, password: null };
let server: MlflowFailureServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function failure(p: Promise<unknown>): Promise<MlflowError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MlflowError);
  return e as MlflowError;
}

describe('authHeaders', () => {
  it('sends the token as a bearer, before username/password', () => {
    expect(authHeaders({ token: 'tok', username: 'u', password: 'p' })).toEqual({
      authorization: 'Bearer tok',
    });
  });
  it('sends username/password as basic auth', () => {
    expect(authHeaders({ token: null, username: 'alice', password: 's3cr:t' })).toEqual({
      authorization: `Basic ${Buffer.from('alice:s3cr:t').toString('base64')}`,
    });
  });
  it('sends nothing without credentials', () => {
    expect(authHeaders(noAuth)).toEqual({});
  });
});

describe('createMlflowHttp', () => {
  it('puts the auth header on the wire', async () => {
    server = await startMlflowFailureServer(() => ({ status: 200, body: {} }));
    const http = createMlflowHttp({ trackingUri: `${server.url}/`, ...noAuth, token: 'tok' });
    await http.send({ method: 'GET', path: '/api/2.0/mlflow/experiments/get' });
    expect(server.requests[0]!.headers.authorization).toBe('Bearer tok');
    expect(server.requests[0]!.url).toBe('/api/2.0/mlflow/experiments/get');
  });

  it('retries 500 three times, then fails with the status and MLflow error_code', async () => {
    server = await startMlflowFailureServer(() => mlflowError(500, 'INTERNAL_ERROR', 'db down'));
    const http = createMlflowHttp({ trackingUri: server.url, ...noAuth }, { backoffMs: 5 });
    const e = await failure(http.send({ method: 'POST', path: '/api/2.0/mlflow/runs/create', json: {} }));
    expect(server.requests).toHaveLength(3);
    expect(e.code).toBe(ErrorCode.TrackingFailed);
    expect(e.status).toBe(500);
    expect(e.errorCode).toBe('INTERNAL_ERROR');
    expect(e.message).toContain('db down');
    expect(e.serverUnusable).toBe(true);
  });

  it('succeeds when a retry succeeds, honouring Retry-After on 429', async () => {
    server = await startMlflowFailureServer((_r, n) =>
      n === 1
        ? { ...mlflowError(429, 'REQUEST_LIMIT_EXCEEDED'), headers: { 'retry-after': '0' } }
        : { status: 200, body: { ok: true } },
    );
    const http = createMlflowHttp(
      { trackingUri: server.url, ...noAuth },
      { backoffMs: 20_000, maxBackoffMs: 20_000 },
    );
    const started = Date.now();
    await expect(http.json({ method: 'GET', path: '/x' }, z.object({ ok: z.boolean() }))).resolves.toEqual({
      ok: true,
    });
    // Bounds are loose for busy machines; waiting the back-off instead would take 20 s.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a 401 or a 400', async () => {
    server = await startMlflowFailureServer((r) =>
      r.url.startsWith('/auth')
        ? mlflowError(401, 'UNAUTHENTICATED')
        : mlflowError(400, 'INVALID_PARAMETER_VALUE'),
    );
    const http = createMlflowHttp({ trackingUri: server.url, ...noAuth }, { backoffMs: 5 });
    const e401 = await failure(http.send({ method: 'GET', path: '/auth' }));
    expect([e401.status, e401.errorCode, e401.serverUnusable]).toEqual([401, 'UNAUTHENTICATED', true]);
    const e400 = await failure(http.send({ method: 'GET', path: '/bad' }));
    expect([e400.status, e400.errorCode, e400.serverUnusable]).toEqual([
      400,
      'INVALID_PARAMETER_VALUE',
      false,
    ]);
    expect(server.requests).toHaveLength(2);
  });

  it('bounds a slow server by the deadline and does not wait on it again', async () => {
    server = await startMlflowFailureServer(() => ({ status: 200, body: {}, delayMs: 20_000 }));
    const http = createMlflowHttp({ trackingUri: server.url, ...noAuth }, { timeoutMs: 200, backoffMs: 5 });
    const started = Date.now();
    const e = await failure(http.send({ method: 'GET', path: '/slow' }));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(e.failure).toBe('timeout');
    expect(server.requests).toHaveLength(1);
  });

  it("waits a call's own deadline instead of the client's (the trace export's slow ingestion)", async () => {
    server = await startMlflowFailureServer(() => ({ status: 200, body: { ok: true }, delayMs: 400 }));
    const http = createMlflowHttp({ trackingUri: server.url, ...noAuth }, { timeoutMs: 100, backoffMs: 5 });
    expect((await failure(http.send({ method: 'POST', path: '/v1/traces' }))).failure).toBe('timeout');
    const answer = await http.send({ method: 'POST', path: '/v1/traces', timeoutMs: 10_000 });
    expect(answer).toEqual({ status: 200, text: JSON.stringify({ ok: true }) });
  });

  it('retries connection errors a bounded number of times', async () => {
    const port = await closedPort();
    const http = createMlflowHttp({ trackingUri: `http://127.0.0.1:${port}`, ...noAuth }, { backoffMs: 5 });
    const e = await failure(http.send({ method: 'GET', path: '/x' }));
    expect(e.failure).toBe('network');
    expect(e.message).toMatch(/unreachable/);
  });

  it('rejects answers that do not match the schema, and non-JSON answers', async () => {
    server = await startMlflowFailureServer((r) =>
      r.url === '/html' ? { status: 200, body: '<html>' } : { status: 200, body: { experiment_id: 7 } },
    );
    const http = createMlflowHttp({ trackingUri: server.url, ...noAuth });
    const shape = await failure(
      http.json({ method: 'GET', path: '/shape' }, z.object({ experiment_id: z.string() })),
    );
    expect(shape.failure).toBe('invalid_response');
    const html = await failure(http.json({ method: 'GET', path: '/html' }, z.object({})));
    expect(html.failure).toBe('invalid_response');
  });

  it('treats a 404 without MLflow error JSON as "not an MLflow server"', async () => {
    server = await startMlflowFailureServer(() => ({ status: 404, body: 'Not Found' }));
    const http = createMlflowHttp({ trackingUri: server.url, ...noAuth });
    const e = await failure(http.send({ method: 'GET', path: '/x' }));
    expect([e.status, e.errorCode, e.serverUnusable]).toEqual([404, null, true]);
  });
});
