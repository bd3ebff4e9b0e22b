// Fault test: a stream of truncated or garbled LLM replies ends in the rule engine's diagnosis, with a note saying why.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineResult } from '../../../../src/agent/diagnose/engine.js';
import { createFallbackEngine, createLlmEngine } from '../../../../src/agent/diagnose/llm/llm-engine.js';
import type { Diagnosis } from '../../../../src/domain/index.js';
import { oomFinding, oomKilledEvidence, POLICY } from '../../../fixtures/oom-killed-evidence.js';
import {
  startOpenAiStandIn,
  type OpenAiStandIn,
  type ScriptedReply,
} from '../../../../tools/stand-ins/openai-stand-in.js';
import { llmConfig } from '../../../fixtures/llm-config.js';

const RULES: Diagnosis = {
  category: 'oom_killed',
  rootCause: 'OOMKilled with a 64Mi limit',
  summary: 'Raise the memory limit.',
  confidence: 0.8,
  engine: 'rules',
  change: null,
  humanAction: null,
  notes: [],
};

const deep = `${'['.repeat(5000)}1${']'.repeat(5000)}`;
const withValue = (valueJson: string): ScriptedReply => ({
  json: {
    category: 'oom_killed',
    rootCause: 'x',
    summary: 'y',
    confidence: 0.9,
    change: { summary: ['a'], patch: [{ op: 'replace', path: '/spec/replicas', valueJson }] },
    humanAction: null,
  },
});

/** Each fault twice: the first answer and the corrective re-ask both fail the same way. */
const FAULTS: Array<[string, ScriptedReply]> = [
  ['truncated (finish_reason length)', { finishReason: 'length' }],
  ['garbled bytes', { raw: '\u0000\u0001{"categ\ufffd' }],
  ['prose', { raw: 'Sure! Raise the memory limit.' }],
  ['empty content', { raw: '' }],
  ['no choices', { noChoices: true }],
  ['a value nested 5,000 levels deep', withValue(deep)],
  ['valueJson that is not JSON', withValue('{oops')],
];

let standIn: OpenAiStandIn;
const figures = { faults: 0, fellBack: 0, crashed: 0 };
beforeEach(async () => {
  standIn = await startOpenAiStandIn();
});
afterEach(async () => {
  await standIn.close();
});

describe('garbled LLM replies fall back to the rule engine', () => {
  it.each(FAULTS)('%s', async (_name, reply) => {
    figures.faults += 1;
    standIn.push(reply, reply, reply, reply);
    const llm = createLlmEngine({
      config: llmConfig(standIn, { maxRetries: 1 }),
      logPrompts: false,
      retryDelays: { baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterMs: 1_000 },
    });
    let calls = 0;
    const rules = {
      name: 'rules' as const,
      model: 'rules',
      diagnose: async (): Promise<EngineResult> => {
        calls += 1;
        return { diagnosis: RULES, usage: [], exchange: null };
      },
    };
    let result: EngineResult;
    try {
      result = await createFallbackEngine(llm, rules).diagnose({
        evidence: oomKilledEvidence(),
        findings: [oomFinding],
        previousAttempts: [],
        policy: POLICY,
      });
    } catch (e) {
      figures.crashed += 1;
      throw e;
    }
    if (result.diagnosis.engine === 'rules') figures.fellBack += 1;
    expect(calls).toBe(1);
    expect(result.diagnosis).toMatchObject({ engine: 'rules', category: 'oom_killed', change: null });
    expect(result.diagnosis.notes[0]).toMatch(/^LLM unavailable \(.+\); diagnosed by the rule engine$/);
  });
});

afterAll(() => {
  console.log(
    `garbled-LLM fault test: ${figures.faults} faults, ${figures.fellBack} fell back to the rule engine with a note, ${figures.crashed} crashed`,
  );
});
