// The OpenAI stand-in itself: it must reject what the real API rejects, or engine tests prove nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assertNoSecret,
  startOpenAiStandIn,
  strictSchemaProblems,
  type OpenAiStandIn,
} from '../../../../tools/stand-ins/openai-stand-in.js';

let standIn: OpenAiStandIn;
beforeEach(async () => {
  standIn = await startOpenAiStandIn();
});
afterEach(async () => {
  await standIn.close();
});

const strictFormat = {
  type: 'json_schema',
  json_schema: {
    name: 'x',
    strict: true,
    schema: {
      type: 'object',
      properties: { a: { type: 'string' } },
      required: ['a'],
      additionalProperties: false,
    },
  },
};

async function post(path: string, body: unknown, key = standIn.apiKey): Promise<Response> {
  const base = standIn.url.replace(/\/v1$/, '');
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('startOpenAiStandIn', () => {
  it('answers a scripted completion on /chat/completions too', async () => {
    standIn.push({ json: { a: 'b' } });
    const res = await post('/chat/completions', {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      response_format: strictFormat,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      object: string;
      choices: Array<{ message: { content: string }; finish_reason: string }>;
    };
    expect(body).toMatchObject({
      object: 'chat.completion',
      choices: [{ finish_reason: 'stop', message: { content: '{"a":"b"}' } }],
    });
  });

  it('rejects a wrong key and a non-strict request without consuming the script', async () => {
    expect((await post('/v1/chat/completions', {}, 'nope')).status).toBe(401);
    const res = await post('/v1/chat/completions', {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_object' },
    });
    expect(res.status).toBe(400);
    expect(standIn.requests.map((r) => r.problems.length > 0)).toEqual([true, true]);
  });

  it('finds open objects and optional properties in a schema', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'object', properties: { b: { type: 'string' } }, required: [] } },
      required: ['a'],
    };
    expect(strictSchemaProblems(schema)).toEqual([
      '$: additionalProperties must be false',
      '$.a: additionalProperties must be false',
      '$.a.b: must be required in strict mode',
    ]);
  });

  it('assertNoSecret finds a secret inside message strings without printing it', () => {
    const requests = [
      {
        method: 'POST',
        path: '/',
        headers: {},
        body: { messages: [{ content: 'x "s3cret-value" y' }] },
        problems: [],
      },
    ];
    expect(() => assertNoSecret(requests, ['s3cret-value'])).toThrow(
      'secret "s3cr…" found in request 0 body',
    );
    expect(() => assertNoSecret(requests, ['other'])).not.toThrow();
  });
});
