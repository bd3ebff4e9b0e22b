// The private answer to a click that cannot act: the reason, and the command to re-run when it is over.
import { describe, expect, it } from 'vitest';
import type { StoredProposal } from '../../../src/workflow/proposal-record.js';
import { refusalFor } from '../../../src/slack/click-refusal.js';
import { sampleStored } from '../../fixtures/proposal-record.js';

const stored = (over: Partial<StoredProposal>): StoredProposal => sampleStored(over);

const approve = 'approve' as const;

describe('refusalFor', () => {
  it('offers the command to re-run when the proposal is over', () => {
    expect(refusalFor(stored({ state: 'expired' }), approve).text).toContain(
      '/autofix deployment/web -n shop',
    );
    expect(refusalFor(stored({ state: 'applying', decidedBy: 'U9' }), approve).text).not.toContain(
      '/autofix',
    );
  });
});
