// LLM cost ceilings end to end (sandbox, Slack and OpenAI stand-ins, the real worker): an investigation whose
// next call would pass AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION stops asking the model, the rule engine
// answers with a note in the thread and the run is tagged; every LLM thread's footer shows tokens and cost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../tools/stand-ins/openai-stand-in.js';
import type { Kube } from './support/kube.js';
import { useNamespace } from './support/kube.js';
import { askForFix, brokenDeployment } from './support/slack-flow.js';
import { startHarness, textOf, type Harness } from './support/slack-harness.js';
import { experimentId, kv, searchRuns } from './support/mlflow-rest.js';
import { waitFor } from './support/wait-for.js';

const CEILING = 40_000;
const IMAGE = '/spec/template/spec/containers/0/image';

let k: Kube;
let ns: string;
let h: Harness;
let llm: OpenAiStandIn;

useNamespace('ceiling', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  llm = await startOpenAiStandIn();
  await Promise.all([brokenDeployment(k, ns, 'normal'), brokenDeployment(k, ns, 'spender')]);
  h = await startHarness({
    env: {
      AUTOFIX_NAMESPACES: ns,
      OPENAI_API_KEY: llm.apiKey,
      OPENAI_BASE_URL: llm.url,
      // gpt-4o-mini: priced by the built-in table, so the footer has a cost to show.
      AUTOFIX_MODEL: 'gpt-4o-mini',
      AUTOFIX_LLM_MAX_RETRIES: '0',
      AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION: String(CEILING),
    },
    worker: true,
  });
}, 180_000);

afterAll(async () => {
  await h?.close();
  await llm?.close();
});

const imageAnswer = (image: string) => ({
  category: 'image_pull',
  rootCause: 'The image nginx:1.99 does not exist; the previous release ran nginx:1.27.',
  summary: 'Roll the image back.',
  confidence: 0.9,
  change: {
    summary: [`set the image to ${image}`],
    patch: [{ op: 'replace', path: IMAGE, valueJson: JSON.stringify(image) }],
  },
  humanAction: null,
});

const REFUSED = {
  ...imageAnswer('nginx:1.27'),
  category: 'oom_killed',
  change: {
    summary: ['give the container 100Gi'],
    patch: [
      {
        op: 'add',
        path: '/spec/template/spec/containers/0/resources',
        valueJson: '{"limits":{"memory":"100Gi"}}',
      },
    ],
  },
};

/** The proposal's footer: its last context block, as text. */
function footerOf(m: { blocks: unknown[] }): string {
  const last = m.blocks.at(-1) as { type: string; elements?: Array<{ text: string }> };
  expect(last.type).toBe('context');
  return (last.elements ?? []).map((e) => e.text).join(' | ');
}

async function runTags(name: string): Promise<Record<string, string>> {
  const exp = await experimentId('kube-autofix-slack-tests');
  return waitFor(
    async () => {
      const [run] = await searchRuns(exp, `tags.\`autofix.target\` = 'deployment/${ns}/${name}'`);
      const tags = run ? kv(run.data.tags) : {};
      return tags['autofix.outcome'] ? tags : null;
    },
    { what: `the MLflow run of ${name} with its outcome`, timeoutMs: 60_000 },
  );
}

describe('LLM cost ceilings in the Slack thread', () => {
  it('a normal LLM investigation: the footer shows its tokens and estimated cost', async () => {
    llm.push({ json: imageAnswer('nginx:1.27'), usage: { promptTokens: 3000, completionTokens: 200 } });
    const before = llm.requests.length;
    const { proposal } = await askForFix(h, ns, 'normal');
    expect(llm.requests.length - before).toBe(1);
    const text = textOf(proposal);
    expect(text).toContain('LLM engine');
    // (3000 × 0.15 + 200 × 0.6) / 1M = $0.00057 at gpt-4o-mini's list price.
    expect(footerOf(proposal)).toContain(
      ':abacus: LLM 3,200 tokens (3,000 prompt + 200 completion, 1 call) · est. $0.00057',
    );
    expect(text).not.toContain('LLM not asked');
    expect((await runTags('normal'))['autofix.llm.ceiling']).toBeUndefined();
  });

  it('the call that would pass the token ceiling is never made: the rule engine answers, noting why', async () => {
    // Iteration 1 fits the ceiling, proposes a change the policy refuses (100Gi, over AUTOFIX_MAX_MEMORY),
    // and reports 38,000 tokens: iteration 2's call (its prompt + 1,024 max_tokens) would pass 40,000.
    llm.push({ json: REFUSED, usage: { promptTokens: 37_000, completionTokens: 1000 } });
    const before = llm.requests.length;
    const { proposal } = await askForFix(h, ns, 'spender');
    const text = textOf(proposal);
    expect(llm.requests.length - before).toBe(1);
    expect(text).toContain('rule engine');
    expect(text).toMatch(
      /LLM not asked: the investigation's token ceiling: 38,000 tokens used \+ up to [\d,]+ for the next call &gt; 40,000 \(AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION\); diagnosed by the rule engine/,
    );
    // The footer still counts the call that was made.
    expect(footerOf(proposal)).toContain('LLM 38,000 tokens (37,000 prompt + 1,000 completion, 1 call)');
    const tags = await runTags('spender');
    expect(tags['autofix.llm.ceiling']).toBe('tokens');
    // The run's story (its description in the MLflow UI) keeps the note too.
    expect(tags['mlflow.note.content']).toContain("LLM not asked: the investigation's token ceiling");
    // Nothing reached the stand-in after the ceiling, also once the round's bookkeeping is written.
    expect(llm.requests.length - before).toBe(1);
  });
});
