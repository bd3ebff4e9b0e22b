// What a decision that cannot act says, for each state a proposal can be in.
import { describe, expect, it } from 'vitest';
import type { StoredProposal } from '../../../src/workflow/proposal-record.js';
import { decisionRefusalReason } from '../../../src/workflow/decision-refusal.js';
import { sampleStored } from '../../fixtures/proposal-record.js';

const stored = (over: Partial<StoredProposal>): StoredProposal => sampleStored(over);

describe('decisionRefusalReason', () => {
  it('names who got there first', () => {
    expect(decisionRefusalReason(stored({ state: 'approved', decidedBy: 'U9' }), 'approve')).toMatch(
      /already approved by U9/,
    );
    expect(decisionRefusalReason(stored({ state: 'rejected', decidedBy: 'U9' }), 'approve')).toMatch(
      /rejected by U9/,
    );
    expect(decisionRefusalReason(stored({ state: 'rolled_back', rolledBackBy: 'U8' }), 'rollback')).toMatch(
      /already rolled back by U8/,
    );
  });

  it('explains expiry and staleness', () => {
    expect(decisionRefusalReason(stored({ state: 'expired', expiresAt: 0 }), 'approve')).toMatch(
      /expired at 1970-01-01T00:00:00.000Z/,
    );
    expect(
      decisionRefusalReason(stored({ state: 'apply_failed', detail: 'the target changed' }), 'approve'),
    ).toMatch(/not applied: the target changed/);
  });

  it('refuses to roll back what was never applied', () => {
    expect(decisionRefusalReason(stored({ state: 'proposed' }), 'rollback')).toMatch(/nothing to roll back/);
  });

  it('says so when the proposal is gone', () => {
    expect(decisionRefusalReason(null, 'approve')).toMatch(/no longer stored/);
  });
});
