// Decision-time re-checks: allowlist, approver authority, separation of duties, and where a click came from.
import { describe, expect, it } from 'vitest';
import {
  checkDecision,
  clickOriginRefusal,
  oneClusterPolicy,
} from '../../../src/workflow/decision-checks.js';
import type { StoredProposal } from '../../../src/workflow/proposal-record.js';
import { sampleRecord, sampleStored } from '../../fixtures/proposal-record.js';

const record: StoredProposal = sampleStored({ ...sampleRecord({ requestedBy: 'UREQ' }), state: 'approved' });
const approvers = { isApprover: async (u: string) => u === 'UREQ' || u === 'UOK' };
const open = oneClusterPolicy('default', ['shop'], true);
const worker = { identity: null, review: null };

describe('checkDecision', () => {
  it('lets an approver approve, reject and roll back in an allowed namespace', async () => {
    for (const d of ['approve', 'reject', 'rollback'] as const)
      await expect(checkDecision(record, d, 'UOK', open, approvers)).resolves.toEqual(worker);
  });

  it('refuses approve and rollback once the namespace left AUTOFIX_NAMESPACES; reject stays possible', async () => {
    const shrunk = oneClusterPolicy('default', ['other'], true);
    for (const d of ['approve', 'rollback'] as const)
      await expect(checkDecision(record, d, 'UOK', shrunk, approvers)).rejects.toMatchObject({
        code: 'NAMESPACE_NOT_ALLOWED',
      });
    await expect(checkDecision(record, 'reject', 'UOK', shrunk, approvers)).resolves.toEqual(worker);
  });

  it('refuses someone who is not (or no longer) an approver', async () => {
    await expect(checkDecision(record, 'approve', 'UNOPE', open, approvers)).rejects.toMatchObject({
      code: 'NOT_AUTHORIZED',
      message: expect.stringMatching(/not \(or no longer\) an approver/),
    });
  });

  it('AUTOFIX_SELF_APPROVAL=false refuses the requester approving; default allows it', async () => {
    await expect(checkDecision(record, 'approve', 'UREQ', open, approvers)).resolves.toEqual(worker);
    const strict = oneClusterPolicy('default', ['shop'], false);
    await expect(checkDecision(record, 'approve', 'UREQ', strict, approvers)).rejects.toMatchObject({
      code: 'NOT_AUTHORIZED',
      message: expect.stringMatching(/AUTOFIX_SELF_APPROVAL=false/),
    });
    await expect(checkDecision(record, 'reject', 'UREQ', strict, approvers)).resolves.toEqual(worker);
  });
});

describe('checkDecision across clusters', () => {
  const onProd = { ...record, cluster: 'prod-eu' };

  it('a worker (or CLI) of another cluster refuses every decision on the proposal, reject too', async () => {
    for (const d of ['approve', 'reject', 'rollback'] as const)
      await expect(checkDecision(onProd, d, 'UOK', open, approvers)).rejects.toMatchObject({
        code: 'WRONG_CLUSTER',
        message: expect.stringMatching(/for cluster prod-eu, .* acting on cluster default/),
      });
  });

  it("the bot (no cluster of its own) checks the proposal's cluster's allowlist, not another's", async () => {
    const bot = {
      cluster: null,
      namespacesOf: (c: string) => (c === 'prod-eu' ? ['shop'] : []),
      selfApproval: true,
    };
    await expect(checkDecision(onProd, 'approve', 'UOK', bot, approvers)).resolves.toEqual(worker);
    await expect(checkDecision(record, 'approve', 'UOK', bot, approvers)).rejects.toMatchObject({
      code: 'NAMESPACE_NOT_ALLOWED',
    });
  });
});

describe('clickOriginRefusal', () => {
  it('accepts a click from the proposal channel and workspace', () => {
    expect(clickOriginRefusal(record, { channelId: 'C1', teamId: 'T1' })).toBeNull();
  });

  it('refuses a click from another channel or another workspace', () => {
    expect(clickOriginRefusal(record, { channelId: 'C2', teamId: 'T1' })).toMatch(/another channel/);
    expect(clickOriginRefusal(record, { channelId: 'C1', teamId: 'T9' })).toMatch(/workspace/);
    expect(clickOriginRefusal(record, { channelId: null, teamId: 'T1' })).not.toBeNull();
  });
});
