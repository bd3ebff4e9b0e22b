// The one decision step: which states each decision moves from, what it tags, and that a refusal moves nothing.
import { describe, expect, it } from 'vitest';
import { decide, type DecisionDeps } from '../../../src/workflow/decide.js';
import { oneClusterPolicy } from '../../../src/workflow/decision-checks.js';
import { createMemoryProposalStore } from '../../../src/workflow/memory-proposal-store.js';
import type { ProposalState } from '../../../src/workflow/proposal-record.js';
import { sampleRecord } from '../../fixtures/proposal-record.js';

async function deps(path: ProposalState[] = []): Promise<DecisionDeps & { tags: Record<string, string>[] }> {
  const store = createMemoryProposalStore();
  await store.save(sampleRecord({ runId: 'run-1' }), 1000);
  for (const to of path) {
    const from = (await store.get('p1'))!.state;
    await store.transition('p1', { from: [from], to });
  }
  const tags: Record<string, string>[] = [];
  return {
    tags,
    store,
    tracker: { recordDecision: async (runId, t) => void tags.push({ runId: String(runId), ...t }) },
    authority: { isApprover: async (u) => u !== 'UNOBODY' },
    decisions: oneClusterPolicy('default', ['shop'], true),
    clock: { now: () => 1500 },
  };
}

describe('decide', () => {
  it('reject: moves proposed → rejected and tags who', async () => {
    const d = await deps();
    const res = await decide(d, 'p1', 'reject', 'U2');
    expect(res.kind).toBe('decided');
    expect((await d.store.get('p1'))!.state).toBe('rejected');
    expect(d.tags).toEqual([
      {
        runId: 'run-1',
        'autofix.decision': 'rejected',
        'autofix.rejected_by': 'U2',
        'autofix.label.1.verdict': 'rejected',
      },
    ]);
  });

  it('rollback: from applied and from a failed rollback, never from proposed', async () => {
    const applied = await deps(['approved', 'applying', 'applied']);
    expect((await decide(applied, 'p1', 'rollback', 'U2')).kind).toBe('decided');
    expect(applied.tags).toEqual([{ runId: 'run-1', 'autofix.rollback_requested_by': 'U2' }]);
    const failed = await deps(['approved', 'applying', 'applied', 'rolling_back', 'rollback_failed']);
    expect((await decide(failed, 'p1', 'rollback', 'U2')).kind).toBe('decided');
    const proposed = await deps();
    const res = await decide(proposed, 'p1', 'rollback', 'U2');
    expect(res.kind).toBe('conflict');
    expect((await proposed.store.get('p1'))!.state).toBe('proposed');
  });

  it('refusals move nothing and tag nothing: the front end’s own check, then the authority', async () => {
    const d = await deps();
    const own = await decide(d, 'p1', 'approve', 'U2', () => 'not from here');
    expect(own).toMatchObject({ kind: 'refused', reason: 'not from here' });
    const nobody = await decide(d, 'p1', 'approve', 'UNOBODY');
    expect(nobody.kind).toBe('refused');
    expect((await d.store.get('p1'))!.state).toBe('proposed');
    expect(d.tags).toEqual([]);
  });

  it('a namespace removed from the allowlist refuses approve and rollback but not reject', async () => {
    const d = await deps();
    const narrowed = { ...d, decisions: oneClusterPolicy('default', ['other'], true) };
    expect((await decide(narrowed, 'p1', 'approve', 'U2')).kind).toBe('refused');
    expect((await decide(narrowed, 'p1', 'reject', 'U2')).kind).toBe('decided');
  });

  it('a proposal of another cluster is refused here, whatever the decision, and kept', async () => {
    const d = await deps();
    const elsewhere = { ...d, decisions: oneClusterPolicy('prod-eu', ['shop'], true) };
    const res = await decide(elsewhere, 'p1', 'approve', 'U2');
    expect(res).toMatchObject({ kind: 'refused' });
    expect(res.kind === 'refused' && res.reason).toMatch(/for cluster default.*acting on cluster prod-eu/);
    expect((await decide(elsewhere, 'p1', 'reject', 'U2')).kind).toBe('refused');
    expect((await d.store.get('p1'))!.state).toBe('proposed');
  });

  it('a proposal that is not stored is missing', async () => {
    const d = await deps();
    expect(await decide(d, 'nope', 'approve', 'U2')).toEqual({ kind: 'missing' });
  });
});
