// The thread's footer: tokens and estimated cost for every LLM investigation, "unknown" without a price,
// nothing for the rule engine alone; a context element within Block Kit's limits.
import { describe, expect, it } from 'vitest';
import type { LlmSpend, Target, Validation } from '../../../../src/domain/index.js';
import type { SlackMessage } from '../../../../src/slack/blocks/block-parts.js';
import { buildDecidedProposalMessage } from '../../../../src/slack/blocks/decided-proposal-message.js';
import { llmUsageText } from '../../../../src/slack/blocks/llm-usage-text.js';
import { buildOutcomeMessage } from '../../../../src/slack/blocks/outcome-message.js';
import {
  buildProposalMessage,
  type ProposalMessageInput,
} from '../../../../src/slack/blocks/proposal-message.js';
import { slackBlockProblems } from '../../../../tools/stand-ins/local-slack/slack-block-rules.js';

const target: Target = { kind: 'Deployment', name: 'web', namespace: 'shop' };
const ok: Validation = {
  schemaOk: true,
  policy: { ok: true, violations: [] },
  dryRun: { ok: true, message: null },
  flags: [],
};
const proposal: ProposalMessageInput = {
  target,
  diagnosis: {
    category: 'oom_killed',
    rootCause: 'OOMKilled at 64Mi.',
    summary: '',
    confidence: 0.9,
    engine: 'llm',
  },
  changes: ['container app: resources.limits.memory 64Mi → 256Mi'],
  engineExplanation: [],
  diff: '--- a\n+++ b\n@@ -1 +1 @@\n-          memory: 64Mi\n+          memory: 256Mi\n',
  validation: ok,
  runUrl: null,
  proposalId: 'prop_1',
  expiresAt: '2026-01-02T03:34:05.000Z',
};
const spend: LlmSpend = { calls: 2, promptTokens: 12_345, completionTokens: 678, costUsd: 0.00226 };

type Context = { type: string; elements?: Array<{ text: string }> };
/** The last block: the footer. */
const footer = (m: SlackMessage): Context => m.blocks.at(-1) as unknown as Context;
const footerText = (m: SlackMessage): string => (footer(m).elements ?? []).map((e) => e.text).join(' | ');

describe('llmUsageText', () => {
  it('tokens (prompt + completion), calls and the estimated cost', () => {
    expect(llmUsageText(spend)).toBe(
      ':abacus: LLM 13,023 tokens (12,345 prompt + 678 completion, 2 calls) · est. $0.0023',
    );
    expect(llmUsageText({ ...spend, calls: 1, costUsd: 0.00021 })).toMatch(/1 call\) · est\. \$0\.00021$/);
  });

  it('a model without a price: cost unknown, never $0', () => {
    const text = llmUsageText({ ...spend, costUsd: null });
    expect(text).toMatch(/cost unknown \(no price for the model\)$/);
    expect(text).not.toContain('$0');
  });

  it('nothing for the rule engine alone', () => {
    expect(llmUsageText(null)).toBe('');
    expect(llmUsageText(undefined)).toBe('');
  });
});

describe('the footer of each thread message', () => {
  it('the proposal, live and decided', () => {
    const live = buildProposalMessage({ ...proposal, llm: spend });
    expect(footer(live).type).toBe('context');
    expect(footerText(live)).toContain(
      'LLM 13,023 tokens (12,345 prompt + 678 completion, 2 calls) · est. $0.0023',
    );
    expect(slackBlockProblems(live.blocks)).toEqual([]);
    const decided = buildDecidedProposalMessage({
      proposal: { ...proposal, llm: spend },
      decision: 'rejected',
      by: 'U1',
    });
    expect(JSON.stringify(decided.blocks)).toContain('LLM 13,023 tokens');
  });

  it('the outcome of an investigation that proposes nothing, priced or not', () => {
    const base = {
      target,
      outcome: 'no_safe_fix' as const,
      diagnosis: proposal.diagnosis,
      humanAction: null,
      error: null,
      runUrl: null,
    };
    const m = buildOutcomeMessage({ ...base, llm: { ...spend, costUsd: null } });
    expect(footer(m).type).toBe('context');
    expect(footerText(m)).toContain('LLM 13,023 tokens');
    expect(footerText(m)).toContain('cost unknown');
    expect(slackBlockProblems(m.blocks)).toEqual([]);
    expect(footerText(buildOutcomeMessage({ ...base, llm: null }))).not.toContain('LLM');
  });

  it('a rule-engine proposal has no LLM line', () => {
    expect(footerText(buildProposalMessage(proposal))).not.toContain('LLM');
  });
});
