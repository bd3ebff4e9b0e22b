// The Web API client's transport: undici's `request` over a keep-alive Agent instead of the global fetch,
// a fraction of its CPU per call (the bot posts one parent message per command; bursts are many).
import { Agent, request, type Dispatcher } from 'undici';
import type * as webApi from '@slack/web-api';

type WebClientOptions = NonNullable<ConstructorParameters<typeof webApi.WebClient>[1]>;
export type SlackFetch = NonNullable<WebClientOptions['fetch']>;
type SlackFetchResponse = Awaited<ReturnType<SlackFetch>>;

function headerMap(raw: Dispatcher.ResponseData['headers']): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : value);
  }
  return out;
}

/** The answer read whole (Web API answers are small JSON), shaped as the client reads a fetch Response. */
function response(
  url: string,
  status: number,
  headers: Map<string, string>,
  body: Buffer,
): SlackFetchResponse {
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: '',
    url,
    headers: { get: (name) => headers.get(name.toLowerCase()) ?? null, entries: () => headers.entries() },
    arrayBuffer: async () =>
      body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    json: async (): Promise<unknown> => JSON.parse(body.toString('utf8')),
    text: async () => body.toString('utf8'),
  };
}

/**
 * A `fetch` for the Web API client. String bodies (every call the product makes) go through `request`
 * on one keep-alive Agent; a FormData body (file uploads) goes to the global fetch, which encodes it.
 * Redirects are not followed (the client asks `redirect: 'error'`; a 3xx reaches it as a non-200).
 */
export function createSlackFetch(agent: Dispatcher = new Agent({ keepAliveTimeout: 30_000 })): SlackFetch {
  return async (input, init = {}) => {
    const url = String(input);
    if (init.body !== undefined && typeof init.body !== 'string') return fetch(url, init);
    const res = await request(url, {
      method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: init.headers,
      body: init.body,
      signal: init.signal,
      dispatcher: agent,
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    return response(url, res.statusCode, headerMap(res.headers), body);
  };
}
