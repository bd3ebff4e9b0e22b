// The Web API client's transport against a real local HTTP server: what it sends, what the client reads back.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSlackFetch } from '../../../src/slack/slack-fetch.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base = '';
const seen: Seen[] = [];
/** What the server answers next: status, headers, body. */
let answer: { status: number; headers: Record<string, string>; body: string };

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));
beforeEach(() => {
  seen.length = 0;
  answer = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
});

describe('createSlackFetch', () => {
  it('sends a string body with its method and headers, and answers as a fetch Response the client reads', async () => {
    answer = {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'X-OAuth-Scopes': 'chat:write' },
      body: '{"ok":true,"ts":"1.2"}',
    };
    const res = await createSlackFetch()(`${base}/api/chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer xoxb-t' },
      body: 'channel=C1&text=hi',
    });
    expect(seen).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/api/chat.postMessage',
        body: 'channel=C1&text=hi',
        headers: expect.objectContaining({
          'content-type': 'application/x-www-form-urlencoded',
          authorization: 'Bearer xoxb-t',
        }),
      }),
    ]);
    expect(res.ok).toBe(true);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${base}/api/chat.postMessage`);
    // Header names are case-insensitive, as on a fetch Response.
    expect(res.headers.get('X-OAuth-Scopes')).toBe('chat:write');
    expect(res.headers.get('missing')).toBeNull();
    expect(await res.json()).toEqual({ ok: true, ts: '1.2' });
  });

  it('reads the body as text or bytes too, and passes a 429 with its Retry-After through as not ok', async () => {
    answer = { status: 429, headers: { 'retry-after': '3' }, body: 'slow down' };
    const res = await createSlackFetch()(`${base}/api/chat.update`, { method: 'POST', body: 'x=1' });
    expect(res.ok).toBe(false);
    expect(res.status).toBe(429);
    expect(res.headers.get('Retry-After')).toBe('3');
    expect(Object.fromEntries(res.headers.entries())).toMatchObject({ 'retry-after': '3' });
    expect(await res.text()).toBe('slow down');
    expect(Buffer.from(await res.arrayBuffer()).toString('utf8')).toBe('slow down');
  });

  it('does not follow a redirect: the 3xx reaches the client', async () => {
    answer = { status: 302, headers: { location: `${base}/elsewhere` }, body: '' };
    const res = await createSlackFetch()(`${base}/api/auth.test`, { method: 'POST', body: '' });
    expect(res.status).toBe(302);
    expect(res.ok).toBe(false);
    expect(seen.map((s) => s.url)).toEqual(['/api/auth.test']);
  });

  it('gives a FormData body (a file upload) to the global fetch, which encodes it as multipart', async () => {
    const form = new FormData();
    form.append('filename', 'diff.txt');
    const res = await createSlackFetch()(`${base}/upload`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(seen[0]?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(seen[0]?.body).toContain('diff.txt');
  });

  it('rejects when its signal is aborted (the client times calls out this way), and nothing is answered', async () => {
    const call = createSlackFetch()(`${base}/api/chat.postMessage`, {
      method: 'POST',
      body: 'x=1',
      signal: AbortSignal.abort(new Error('timed out')),
    });
    await expect(call).rejects.toThrow();
  });

  it("is what Bolt's WebClient calls: a Web API method succeeds and an error answer is the client's error", async () => {
    const client = new webApi.WebClient('xoxb-test', {
      slackApiUrl: `${base}/api/`,
      fetch: createSlackFetch(),
      retryConfig: { retries: 0 },
    });
    answer = {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"ok":true,"channel":"C1","ts":"1.5"}',
    };
    await expect(client.chat.postMessage({ channel: 'C1', text: 'hello' })).resolves.toMatchObject({
      ok: true,
      ts: '1.5',
    });
    expect(seen[0]?.url).toBe('/api/chat.postMessage');
    expect(new URLSearchParams(seen[0]?.body).get('text')).toBe('hello');
    answer = {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"ok":false,"error":"channel_not_found"}',
    };
    await expect(client.chat.postMessage({ channel: 'C9', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
  });
});
