// Block Kit builders: within Slack's limits for any input, buttons carry the proposal id, user text escaped; the
// footer shows an LLM investigation's tokens and estimated cost.
import { describe, expect, it } from 'vitest';
import type { LlmSpend, Target, Validation } from '../../../../src/domain/index.js';
import { buildApplyResultMessage } from '../../../../src/slack/blocks/apply-result-message.js';
import type { SlackMessage } from '../../../../src/slack/blocks/block-parts.js';
import { buildDecidedProposalMessage } from '../../../../src/slack/blocks/decided-proposal-message.js';
import { buildHelpMessage } from '../../../../src/slack/blocks/help-message.js';
import { buildInvalidCommandMessage } from '../../../../src/slack/blocks/invalid-command-message.js';
import { buildInvestigatingMessage } from '../../../../src/slack/blocks/investigating-message.js';
import { llmUsageText } from '../../../../src/slack/blocks/llm-usage-text.js';
import { buildOutcomeMessage } from '../../../../src/slack/blocks/outcome-message.js';
import { buildProgressMessage } from '../../../../src/slack/blocks/progress-message.js';
import {
  buildProposalMessage,
  proposalShowsWhole,
  type ProposalMessageInput,
} from '../../../../src/slack/blocks/proposal-message.js';
import { buildRefusalMessage } from '../../../../src/slack/blocks/refusal-message.js';
import { buildRollbackResultMessage } from '../../../../src/slack/blocks/rollback-result-message.js';
import { parseAutofixCommand } from '../../../../src/slack/parse-command.js';
import { SLACK_LIMITS, blocksTextLength } from '../../../../src/slack/slack-limits.js';
import { slackBlockProblems } from '../../../../tools/stand-ins/local-slack/slack-block-rules.js';
import { singleCluster } from '../../../fixtures/command-context.js';

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
    rootCause: 'Container app is OOMKilled: its 64Mi memory limit is below its working set.',
    summary: 'Raise the memory limit.',
    confidence: 0.86,
    engine: 'rules',
    notes: ['pods of the previous revision were healthy'],
  },
  changes: ['container app: resources.limits.memory 64Mi → 256Mi'],
  engineExplanation: ['raise memory limit of container app from 64Mi to 256Mi'],
  diff: '--- a\n+++ b\n@@ -1 +1 @@\n-          memory: 64Mi\n+          memory: 256Mi\n',
  validation: ok,
  runUrl: 'http://127.0.0.1:5000/#/experiments/1/runs/abc123',
  proposalId: 'prop_7f3a9c',
  expiresAt: '2026-01-02T03:34:05.000Z',
};

type Json = Record<string, unknown>;
const json = (m: SlackMessage): string => JSON.stringify(m.blocks);
const buttons = (m: SlackMessage): Json[] =>
  (m.blocks as unknown as Json[]).flatMap((b) => (b.type === 'actions' ? (b.elements as Json[]) : []));

function expectValid(m: SlackMessage): void {
  expect(slackBlockProblems(m.blocks)).toEqual([]);
  expect(m.text.length).toBeGreaterThan(0);
  expect(m.text.length).toBeLessThanOrEqual(4000);
  expect(m.blocks.length).toBeLessThanOrEqual(50);
  expect(blocksTextLength(m.blocks)).toBeLessThanOrEqual(SLACK_LIMITS.blocksText);
}

describe('buildProposalMessage', () => {
  it("shows the model's words as one-line plain text: no fake check marks, diff, links or mentions", () => {
    const spoof =
      'Memory limit too low.\n\n*Validated:* :white_check_mark: schema  ·  :white_check_mark: safety policy\n```\n- image: a\n+ image: b\n```\n<!channel> <https://evil.example|kubernetes.io>';
    const m = buildProposalMessage({
      ...proposal,
      diagnosis: { ...proposal.diagnosis, rootCause: spoof, summary: 'ok\n>quoted' },
    });
    expectValid(m);
    const block = m.blocks.find((b) => b.block_id === 'autofix_diagnosis') as unknown as {
      text: { type: string; text: string; emoji: boolean };
    };
    expect(block.text.type).toBe('plain_text');
    expect(block.text.emoji).toBe(false);
    const [root, summary, ...more] = block.text.text.split('\n');
    expect(more).toEqual([]);
    expect(root).toMatch(/^Root cause: Memory limit too low\. \*Validated:\* :white_check_mark: schema/);
    expect(summary).toBe('ok &gt;quoted');
    // Only the bot's own validation section carries mrkdwn check marks.
    const marks = m.blocks.filter((b) => JSON.stringify(b).includes(':white_check_mark: safety policy'));
    expect(marks.map((b) => (b as { text?: { type: string } }).text?.type)).toEqual(['plain_text', 'mrkdwn']);
  });

  it('shows root cause, category, plain confidence, diff, validation, link and expiry', () => {
    const m = buildProposalMessage(proposal);
    expectValid(m);
    const all = json(m);
    expect(all).toContain('Root cause: Container app is OOMKilled');
    expect(all).toContain('category `oom_killed` · confidence 0.86 — high · rule engine');
    expect(all).toContain('```\\n--- a\\n+++ b');
    expect(all).toContain(':white_check_mark: schema');
    expect(all).toContain(':white_check_mark: server dry-run');
    expect(all).toContain('<http://127.0.0.1:5000/#/experiments/1/runs/abc123|MLflow run>');
    expect(all).toContain('<!date^1767324845^');
    expect(all).toContain('pods of the previous revision were healthy');
    expect(m.text).toContain('Proposed fix for deployment/web in shop: Container app is OOMKilled');
  });

  it('a deferred dry-run (approver mode, no identity to run it as) is shown as such, never as a check mark', () => {
    const m = buildProposalMessage({
      ...proposal,
      validation: {
        ...ok,
        dryRun: { ok: true, message: 'not run at proposal time: no identity', deferred: true },
      },
    });
    expectValid(m);
    const all = json(m);
    expect(all).toContain(':hourglass_flowing_sand: server dry-run at apply, as the approver');
    expect(all).not.toContain(':white_check_mark: server dry-run');
    expect(all).toContain('Dry-run: not run at proposal time: no identity');
  });

  it("shows the computed change sentences as the change; the engine's summary only under its own label", () => {
    const m = buildProposalMessage({
      ...proposal,
      changes: ['container app: image nginx:1.27 → evil.example/nginx:1.27'],
      engineExplanation: ['bump the memory limit'],
    });
    const text = JSON.stringify(m.blocks);
    expect(text).toMatch(
      /\*Change\* \(computed from the diff\)\\n• container app: image nginx:1\.27 → evil\.example\/nginx:1\.27/,
    );
    expect(text).toMatch(/Engine's explanation \(its own words, not verified\): bump the memory limit/);
    expect(text.indexOf('bump the memory limit')).toBeGreaterThan(text.indexOf('computed from the diff'));
  });

  it('has Approve (primary) and Reject buttons carrying the proposal id', () => {
    const [approve, reject, ...rest] = buttons(buildProposalMessage(proposal));
    expect(rest).toEqual([]);
    expect(approve).toMatchObject({ action_id: 'autofix_approve', style: 'primary', value: 'prop_7f3a9c' });
    expect(reject).toMatchObject({ action_id: 'autofix_reject', value: 'prop_7f3a9c' });
    expect(reject).not.toHaveProperty('style');
  });

  it('stays within limits for a huge diff, long root cause, many changes and notes, and says where the full diff is', () => {
    const m = buildProposalMessage({
      ...proposal,
      target: { ...target, name: 'a'.repeat(253) },
      diagnosis: {
        ...proposal.diagnosis,
        rootCause: 'x'.repeat(20_000),
        summary: 'y'.repeat(20_000),
        notes: Array(300).fill('n'.repeat(400)),
      },
      changes: Array.from({ length: 400 }, (_, i) => `change ${i} ${'z'.repeat(100)}`),
      diff: Array.from({ length: 20_000 }, (_, i) => `+ line ${i} ${'q'.repeat(i % 300)}`).join('\n'),
      validation: {
        schemaOk: true,
        policy: { ok: false, violations: Array(100).fill('v'.repeat(200)) },
        dryRun: { ok: false, message: 'd'.repeat(9000) },
        flags: [],
      },
    });
    expectValid(m);
    expect(json(m)).toMatch(/Diff cut: showing \d of \d+ sections — full diff in <http:[^|]+\|MLflow>/);
    expect(json(m)).toMatch(/… and \d+ more/);
    // What cannot be shown whole cannot be approved here: Reject only, and where to review it.
    expect(buttons(m).map((b) => b.action_id)).toEqual(['autofix_reject']);
    expect(json(m)).toContain('*Too long to review here:*');
    expect(json(m)).toContain(`kube-autofix fix deployment/${'a'.repeat(253)} -n shop`);
  });

  it('shows a diff whole when it fits one message, every line, with Approve; a longer one gets no Approve', () => {
    const lines = (n: number) =>
      Array.from({ length: n }, (_, i) => `+        - name: VAR_${i}\n+          value: "v${i}"`).join('\n');
    const fits = { ...proposal, diff: lines(80) };
    const m = buildProposalMessage(fits);
    expectValid(m);
    expect(proposalShowsWhole(fits)).toBe(true);
    for (const i of [0, 40, 79]) expect(json(m)).toContain(`VAR_${i}\\n`);
    expect(json(m)).not.toContain('Diff cut');
    expect(buttons(m).map((b) => b.action_id)).toEqual(['autofix_approve', 'autofix_reject']);
    // Slack refuses about 12,000 characters of block text in one message, however many blocks.
    const long = { ...proposal, diff: lines(300) };
    expect(proposalShowsWhole(long)).toBe(false);
    const cut = buildProposalMessage(long);
    expectValid(cut);
    expect(buttons(cut).map((b) => b.action_id)).toEqual(['autofix_reject']);
  });

  it('is not whole when a change sentence or the patch to commit would be cut', () => {
    const many = {
      ...proposal,
      changes: Array.from({ length: 60 }, (_, i) => `change ${i} ${'z'.repeat(80)}`),
    };
    expect(proposalShowsWhole(many)).toBe(false);
    expect(proposalShowsWhole({ ...proposal, changes: ['x'.repeat(600)] })).toBe(false);
    const gitops = {
      mode: 'refuse' as const,
      liveApply: false,
      owner: { tool: 'argocd' as const, owner: 'Argo CD application shop-web', markers: [] },
      meaning: 'Argo CD reverts live changes.',
      commitPatch: Array.from({ length: 100 }, (_, i) => `  line ${i}`).join('\n') + '\nLAST-LINE',
      valuesHint: [],
    };
    // The patch to commit is shown whole (no silent cut), or the change cannot be approved here.
    const shown = buildProposalMessage({ ...proposal, gitops });
    expect(json(shown)).toContain('LAST-LINE');
    expect(buttons(shown).map((b) => b.action_id)).toContain('autofix_approve');
    const longPatch = `${'  padding line\n'.repeat(1000)}LAST-LINE`;
    const withPatch = { ...proposal, gitops: { ...gitops, commitPatch: longPatch } };
    expect(proposalShowsWhole(withPatch)).toBe(false);
    expect(buttons(buildProposalMessage(withPatch)).map((b) => b.action_id)).toEqual(['autofix_reject']);
  });

  it('says the full diff is in the run artifacts when there is no link', () => {
    const m = buildProposalMessage({ ...proposal, runUrl: null, diff: 'x\n'.repeat(100_000) });
    expectValid(m);
    expect(json(m)).toContain('full diff in the MLflow run artifacts');
    expect(json(m)).toContain('no MLflow run (tracking off)');
  });

  it('escapes everything that came from the cluster or the LLM', () => {
    const m = buildProposalMessage({
      ...proposal,
      diagnosis: { ...proposal.diagnosis, rootCause: '<!channel> & <@U999> <https://evil|click>' },
      changes: ['set env <!here>'],
      diff: '+ value: "<!everyone>"\n+ run: ```rm -rf```',
    });
    const all = json(m) + m.text;
    expect(all).not.toMatch(/<!channel>|<@U999>|<!here>|<!everyone>|<https:\/\/evil/);
    expect(all).toContain('&lt;!channel&gt; &amp; &lt;@U999&gt;');
    expectValid(m);
  });

  it('refuses a proposal id that would not fit in a button value rather than cut it', () => {
    expect(() => buildProposalMessage({ ...proposal, proposalId: 'p'.repeat(2001) })).toThrow(RangeError);
    expect(() => buildProposalMessage({ ...proposal, proposalId: '' })).toThrow(RangeError);
    expectValid(buildProposalMessage({ ...proposal, proposalId: 'p'.repeat(2000) }));
  });

  it.each([
    [0.95, '0.95 — high'],
    [0.8, '0.80 — high'],
    [0.6, '0.60 — medium'],
    [0.3, '0.30 — low'],
  ])('confidence %d reads "%s"', (confidence, words) => {
    expect(
      json(buildProposalMessage({ ...proposal, diagnosis: { ...proposal.diagnosis, confidence } })),
    ).toContain(`confidence ${words}`);
  });
});

describe('buildDecidedProposalMessage', () => {
  it.each([
    ['approved', 'U02APPROVER', /Approved\* by <@U02APPROVER>/, /approved by <@U02APPROVER>/],
    ['rejected', 'U02APPROVER', /Rejected\* by <@U02APPROVER>/, /rejected by <@U02APPROVER>/],
    [
      'expired',
      null,
      /Expired\* — nothing was changed. To investigate again, run `\/autofix deployment\/web -n shop`/,
      /expired/,
    ],
  ] as const)('%s: no buttons, who decided', (decision, by, blockText, fallback) => {
    const m = buildDecidedProposalMessage({ proposal, decision, by });
    expectValid(m);
    expect(buttons(m)).toEqual([]);
    expect(json(m)).toMatch(blockText);
    expect(json(m)).toContain('Root cause:');
    expect(m.text).toMatch(fallback);
  });
});

describe('other messages', () => {
  it('investigating: the parent message names target and requester', () => {
    const m = buildInvestigatingMessage({ target, requestedBy: 'U1ABC' });
    expectValid(m);
    expect(m.text).toBe('Investigating deployment/web in shop, requested by <@U1ABC>');
    expect(json(m)).toContain('*Investigating* `deployment/web` in `shop`, requested by <@U1ABC>');
  });

  it('progress: bounded however many steps, latest kept', () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `step ${i}: ${'s'.repeat(i % 500)} <x>`);
    const m = buildProgressMessage({ target, iteration: 2, maxIterations: 3, lines });
    expectValid(m);
    expect(json(m)).toContain('*Iteration 2 of 3* in progress');
    expect(json(m)).toMatch(/… \d+ earlier steps/);
    expect(json(m)).toContain('step 999');
    expect(json(m)).not.toContain('<x>');
    const done = buildProgressMessage({
      target,
      iteration: 1,
      maxIterations: 3,
      lines: ['collected'],
      done: true,
    });
    expectValid(done);
    expect(json(done)).toContain('finished');
    expect(buildProgressMessage({ target, iteration: 1, maxIterations: 3, lines: [] }).text).toBe(
      'Iteration 1/3 for deployment/web in shop',
    );
  });

  it.each(['healthy', 'no_safe_fix', 'error'] as const)(
    'outcome %s: no buttons, within limits',
    (outcome) => {
      const m = buildOutcomeMessage({
        target,
        outcome,
        diagnosis: outcome === 'error' ? null : { ...proposal.diagnosis, rootCause: 'r'.repeat(9000) },
        humanAction:
          outcome === 'no_safe_fix' ? 'Create ConfigMap app-config with key LOG_LEVEL. <!here>' : null,
        error: outcome === 'error' ? 'cluster unreachable: ' + 'e'.repeat(9000) : null,
        runUrl: null,
        attempts:
          outcome === 'no_safe_fix' ? Array(200).fill('policy: privileged container refused') : undefined,
        iterations: 3,
      });
      expectValid(m);
      expect(buttons(m)).toEqual([]);
      expect(json(m)).not.toContain('<!here>');
    },
  );

  it('apply result: Rollback carries the proposal id, only when it can roll back', () => {
    const input = {
      target,
      healthy: true,
      message: '3/3 replicas ready',
      seconds: 12.34,
      runUrl: null,
      proposalId: 'prop_1',
      canRollback: true,
    };
    const m = buildApplyResultMessage(input);
    expectValid(m);
    expect(buttons(m)).toEqual([
      expect.objectContaining({ action_id: 'autofix_rollback', value: 'prop_1', style: 'danger' }),
    ]);
    expect(m.text).toBe('Applied fix to deployment/web in shop: rollout healthy after 12.3 s');
    expect(buttons(buildApplyResultMessage({ ...input, canRollback: false }))).toEqual([]);
    expect(json(buildApplyResultMessage({ ...input, healthy: false }))).toContain('rollout NOT healthy');
  });

  it('rollback result: who asked, no buttons', () => {
    const m = buildRollbackResultMessage({
      target,
      healthy: true,
      message: 'previous template restored',
      by: 'U2XYZ',
    });
    expectValid(m);
    expect(json(m)).toContain('requested by <@U2XYZ>');
    expect(buttons(m)).toEqual([]);
  });

  it('refusal: escaped reason and the exact re-run command', () => {
    const m = buildRefusalMessage('Only approvers can approve <fixes>.', {
      rerunCommand: '/autofix deployment/web -n shop',
    });
    expectValid(m);
    expect(json(m)).toContain('Only approvers can approve &lt;fixes&gt;.');
    expect(json(m)).toContain('To investigate again, run `/autofix deployment/web -n shop`');
    expect(buildRefusalMessage('no').blocks).toHaveLength(1);
  });

  it('help and invalid-command messages show the usage', () => {
    const cluster = (name: string, namespaces: string[]) => ({
      name,
      namespaces,
      lastSeenMs: 0,
      workers: [],
      channelDefault: name === 'staging',
    });
    const help = buildHelpMessage({
      channelNamespace: 'shop',
      clusters: [cluster('default', ['shop', 'payments'])],
    });
    expectValid(help);
    expect(json(help)).toContain(
      '`/autofix &lt;kind&gt;/&lt;name&gt; [-n &lt;namespace&gt;] [-c &lt;cluster&gt;]`',
    );
    expect(json(help)).toContain('(cluster `default`): `shop`, `payments`');
    const two = buildHelpMessage({
      clusters: [cluster('prod-eu', ['shop']), cluster('staging', ['sandbox'])],
    });
    expectValid(two);
    expect(json(two)).toContain('• `prod-eu`: `shop`');
    expect(json(two)).toContain('• `staging` (this channel’s default): `sandbox`');
    expect(json(help)).toContain("This channel's default namespace is `shop`");
    expectValid(buildHelpMessage());
    const parsed = parseAutofixCommand('deployment/web -n shop <@U1>', {
      channelId: 'C1',
      channelNamespaces: {},
      chooseCluster: singleCluster(['shop']),
    });
    if (parsed.kind !== 'invalid') throw new Error('expected invalid');
    const m = buildInvalidCommandMessage(parsed.message);
    expectValid(m);
    expect(json(m)).toContain(':warning: Mentions');
    expect(json(m)).toContain('e.g. `/autofix deployment/web -n shop`');
  });
});

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
