// The proposal life cycle and its Redis hash encoding (pure).
import { describe, expect, it } from 'vitest';
import {
  ProposalState,
  TRANSITIONS,
  canTransition,
  decodeRecord,
  encodeRecord,
  pairsToHash,
  proposalIdFor,
} from '../../../src/workflow/proposal-record.js';
import { sampleRecord } from '../../fixtures/proposal-record.js';

describe('transitions', () => {
  it('allows exactly the documented moves', () => {
    expect(canTransition('proposed', 'approved')).toBe(true);
    expect(canTransition('proposed', 'rejected')).toBe(true);
    expect(canTransition('proposed', 'expired')).toBe(true);
    expect(canTransition('approved', 'applying')).toBe(true);
    expect(canTransition('applying', 'applied')).toBe(true);
    expect(canTransition('applied', 'rolling_back')).toBe(true);
    expect(canTransition('rolling_back', 'rolled_back')).toBe(true);
    // Never twice, never backwards, never skipping the approval.
    expect(canTransition('approved', 'approved')).toBe(false);
    expect(canTransition('proposed', 'applying')).toBe(false);
    expect(canTransition('rejected', 'approved')).toBe(false);
    expect(canTransition('expired', 'approved')).toBe(false);
    expect(canTransition('applied', 'applying')).toBe(false);
    expect(canTransition('rolled_back', 'rolling_back')).toBe(false);
  });

  it('has an entry for every state, and terminal states lead nowhere', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...ProposalState.options].sort());
    for (const s of ['rejected', 'expired', 'apply_failed', 'rolled_back'] as const)
      expect(TRANSITIONS[s]).toEqual([]);
  });
});

describe('proposalIdFor', () => {
  it('is stable for a job id (a retried job finds its proposal) and differs between jobs', () => {
    expect(proposalIdFor('investigate__a')).toBe(proposalIdFor('investigate__a'));
    expect(proposalIdFor('investigate__a')).not.toBe(proposalIdFor('investigate__b'));
    expect(proposalIdFor('investigate__a')).toMatch(/^p[0-9a-f]{20}$/);
  });
});

describe('hash encoding', () => {
  it('round-trips, with empty arrays intact and unset fields as null', () => {
    const hash = encodeRecord(sampleRecord(), 1500);
    expect(hash.state).toBe('proposed');
    const back = decodeRecord(hash)!;
    expect(back).toMatchObject({
      ...sampleRecord(),
      state: 'proposed',
      messageTs: null,
      decidedBy: null,
      decidedAt: null,
      updatedAt: 1500,
    });
    expect(back.proposal.validation.policy.violations).toEqual([]);
  });

  it('reads mutable fields and an empty hash as missing', () => {
    const hash = {
      ...encodeRecord(sampleRecord(), 1),
      state: 'approved',
      decidedBy: 'U2',
      decidedAt: '1234',
      messageTs: '9.9',
    };
    expect(decodeRecord(hash)).toMatchObject({
      state: 'approved',
      decidedBy: 'U2',
      decidedAt: 1234,
      messageTs: '9.9',
    });
    expect(decodeRecord({})).toBeNull();
  });

  it('rejects a corrupt record', () => {
    expect(() => decodeRecord({ record: '{"id":1}', state: 'proposed' })).toThrow();
    expect(() => decodeRecord({ ...encodeRecord(sampleRecord(), 1), state: 'sideways' })).toThrow();
  });

  it('turns a flat HGETALL reply into a hash', () => {
    expect(pairsToHash(['a', '1', 'b', '2'])).toEqual({ a: '1', b: '2' });
  });
});
