// On the sandbox, through an OpenAI stand-in that refuses json_schema with a 400: the engine falls back to
// json_object and the investigation completes with the LLM's validated fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../tools/stand-ins/openai-stand-in.js';
import { createOomLoop, type Kube, useNamespace } from './support/kube.js';
import { runCli } from './support/run-cli.js';

let k: Kube;
let ns: string;
let llm: OpenAiStandIn;
const LIMIT = '/spec/template/spec/containers/0/resources/limits/memory';

useNamespace('llm-json', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  llm = await startOpenAiStandIn({ schemaSupport: 'json_object_only' });
  await createOomLoop(k, ns);
});

afterAll(async () => {
  await llm.close();
});

describe('LLM endpoint without json_schema', () => {
  it('falls back to json_object and completes the investigation with a validated fix', async () => {
    llm.push({
      json: {
        category: 'oom_killed',
        rootCause: 'Container app is OOMKilled at its 64Mi limit.',
        summary: 'Raise the memory limit.',
        confidence: 0.9,
        change: {
          summary: ['raise the memory limit of app'],
          patch: [{ op: 'replace', path: LIMIT, valueJson: '"256Mi"' }],
        },
        humanAction: null,
      },
    });
    const r = await runCli(
      'diagnose',
      'deployment/oom',
      { namespace: ns },
      {
        AUTOFIX_NAMESPACES: ns,
        OPENAI_API_KEY: llm.apiKey,
        OPENAI_BASE_URL: llm.url,
        AUTOFIX_LLM_MAX_RETRIES: '1',
      },
    );
    expect(r.json.outcome).toBe('proposed');
    expect(r.json.diagnosis?.engine).toBe('llm');
    expect(r.json.validation?.dryRun.ok).toBe(true);
    const formats = llm.requests.map(
      (q) => (q.body as { response_format: { type: string } }).response_format.type,
    );
    expect(formats).toEqual(['json_schema', 'json_object']);
    expect(llm.requests[0]!.problems.join()).toContain("'json_schema' is not supported");
  }, 120_000);
});
