// What Slack shows after a decision: the approvals so far, who approved as whom, and what the apply was sent as.
import { describe, expect, it } from 'vitest';
import { buildApplyResultMessage } from '../../../src/slack/blocks/apply-result-message.js';
import { buildRollbackResultMessage } from '../../../src/slack/blocks/rollback-result-message.js';
import { decisionAnswer } from '../../../src/slack/decision-answer.js';
import { slackBlockProblems } from '../../../tools/stand-ins/local-slack/slack-stand-in.js';
import { sampleStored } from '../../fixtures/proposal-record.js';

const priya = { user: 'priya@example.com', groups: ['sre'] };
const ana = { user: 'ana@example.com', groups: ['sre', 'oncall'] };
const first = { by: 'U0PRIYA', at: 1, identity: priya, review: 'priya@example.com may patch' };
const second = { by: 'U0ANA', at: 2, identity: ana, review: 'ana@example.com may patch' };
const text = (m: unknown): string => JSON.stringify(m);

describe('decisionAnswer', () => {
  it('1 of 2: the clicker is told, the proposal keeps its buttons and shows who approved', () => {
    const record = sampleStored({ approvals: [first] });
    const a = decisionAnswer(
      { kind: 'pending', record, needed: 2, by: { identity: priya, review: null } },
      'approve',
      'all',
    );
    expect(a.metric).toBe('pending');
    expect(a.reply!.text).toMatch(/recorded \(1 of 2\).*1 more distinct approver approves/);
    expect(text(a.update)).toContain('autofix_approve');
    expect(text(a.update)).toContain('*1 of 2 approvals*: <@U0PRIYA> (priya@example.com)');
    expect(slackBlockProblems(a.update!.blocks ?? [])).toEqual([]);
  });

  it('approved: the message names the approver as their Kubernetes identity, and the first approver', () => {
    const record = sampleStored({ state: 'approved', decidedBy: 'U0ANA', approvals: [first, second] });
    const a = decisionAnswer(
      { kind: 'decided', decision: 'approve', record, by: { identity: ana, review: null } },
      'approve',
      'all',
    );
    expect(a.reply).toBeNull();
    expect(text(a.update)).not.toContain('autofix_approve');
    expect(text(a.update)).toContain(
      '*Approved* by <@U0ANA> as ana@example.com (groups: sre, oncall), after <@U0PRIYA> (priya@example.com)',
    );
  });

  it('handed on (the bot in approver mode): nothing to show yet', () => {
    expect(decisionAnswer({ kind: 'needs_review', record: sampleStored() }, 'approve')).toEqual({
      reply: null,
      update: null,
      metric: 'handed_on',
    });
  });
});

describe('results in the thread', () => {
  const base = {
    target: { kind: 'Deployment' as const, name: 'web', namespace: 'shop' },
    healthy: true,
    message: '1/1 ready',
  };
  it('applied as the approver, with both approvers', () => {
    const m = buildApplyResultMessage({
      ...base,
      seconds: 3,
      runUrl: null,
      proposalId: 'p1',
      canRollback: true,
      appliedAs: ana,
      approvals: [first, second],
    });
    expect(text(m)).toContain(
      'Applied as ana@example.com (groups: sre, oncall)  ·  approved by <@U0PRIYA> (priya@example.com), <@U0ANA> (ana@example.com)',
    );
    expect(slackBlockProblems(m.blocks ?? [])).toEqual([]);
    // The worker's own account: no line about identities.
    const plain = buildApplyResultMessage({
      ...base,
      seconds: 3,
      runUrl: null,
      proposalId: 'p1',
      canRollback: true,
    });
    expect(text(plain)).not.toContain('Applied as');
  });

  it('rolled back as the requester', () => {
    expect(buildRollbackResultMessage({ ...base, by: 'U0PRIYA', as: priya }).text).toContain(
      'requested by <@U0PRIYA> as priya@example.com (groups: sre)',
    );
  });
});
