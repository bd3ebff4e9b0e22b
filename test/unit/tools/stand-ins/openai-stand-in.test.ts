// The OpenAI stand-in itself: it must reject what the real API rejects, or engine tests prove nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assertNoSecret,
  startOpenAiStandIn,
  renderForModel,
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
        seenByModel: [],
      },
    ];
    expect(() => assertNoSecret(requests, ['s3cret-value'])).toThrow(
      'secret "s3cr…" found in request 0 body',
    );
    expect(() => assertNoSecret(requests, ['other'])).not.toThrow();
  });

  it('cuts a reply at max_tokens with finish_reason length, as a server stops generating there', async () => {
    standIn.push({ raw: 'x'.repeat(400) });
    const res = await post('/v1/chat/completions', {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      response_format: strictFormat,
      max_tokens: 10,
    });
    const body = (await res.json()) as {
      choices: Array<{ message: { content: string }; finish_reason: string }>;
      usage: { completion_tokens: number };
    };
    expect(body.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: 'x'.repeat(40) } });
    expect(body.usage.completion_tokens).toBe(10);
  });

  it.each([
    [{ temperature: 3 }, "Invalid 'temperature'"],
    [{ top_p: 1.5 }, "Invalid 'top_p'"],
    [{ max_tokens: 0 }, "Invalid 'max_tokens'"],
    [{ max_tokens: 2.5 }, "Invalid 'max_tokens'"],
  ])('refuses %j with a 400 like OpenAI', async (extra, problem) => {
    const res = await post('/v1/chat/completions', {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      response_format: strictFormat,
      ...extra,
    });
    expect(res.status).toBe(400);
    expect(standIn.requests[0]!.problems.join()).toContain(problem);
  });
});

describe('startOpenAiStandIn as a reasoning model', () => {
  it("refuses max_tokens and non-default sampling with OpenAI's messages", async () => {
    const s = await startOpenAiStandIn({ modelKind: 'reasoning' });
    try {
      const base = s.url.replace(/\/v1$/, '');
      const res = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${s.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'o',
          messages: [{ role: 'user', content: 'hi' }],
          response_format: strictFormat,
          max_tokens: 100,
          temperature: 0.2,
        }),
      });
      expect(res.status).toBe(400);
      expect(s.requests[0]!.problems).toEqual([
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.",
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('renderForModel', () => {
  const messages = [
    { role: 'system', content: 'rules' },
    { role: 'user', content: 'question' },
    { role: 'system', content: 'late instruction' },
  ];
  it('keeps every message by default and drops a system message after the first turn for leading-system-only', () => {
    expect(renderForModel(messages)).toEqual(messages);
    expect(renderForModel(messages, 'leading-system-only')).toEqual(messages.slice(0, 2));
  });
});
