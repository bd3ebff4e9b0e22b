// The ProposalStore contract: one suite, run against every store (in memory, Redis): same transitions, same once-only.
import { describe, expect, it } from 'vitest';
import type { ProposalStore } from '../../src/workflow/proposal-store.js';
import { sampleRecord } from '../fixtures/proposal-record.js';

/** Registers the contract's tests for the store `make()` returns (ids are unique per call of `make`). */
export function proposalStoreContract(name: string, make: () => ProposalStore): void {
  let store: ProposalStore;
  const fresh = (): ProposalStore => (store = make());
  describe(`ProposalStore contract: ${name}`, () => {
    it('saves once: a retried job finds the first record untouched', async () => {
      fresh();
      const first = await store.save(sampleRecord({ id: 'once', expiresAt: Date.now() + 60_000 }));
      expect(first.created).toBe(true);
      await store.transition('once', { from: ['proposed'], to: 'approved', fields: { decidedBy: 'U1' } });
      const again = await store.save(
        sampleRecord({ id: 'once', requestedBy: 'someone-else', expiresAt: Date.now() + 60_000 }),
      );
      expect(again.created).toBe(false);
      expect(again.record).toMatchObject({ state: 'approved', decidedBy: 'U1', requestedBy: 'U1' });
    });

    it('50 concurrent approvals and rejections: exactly one wins, the rest see who did', async () => {
      fresh();
      await store.save(sampleRecord({ id: 'race', expiresAt: Date.now() + 60_000 }));
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.transition('race', {
            from: ['proposed'],
            to: i % 2 ? 'rejected' : 'approved',
            fields: { decidedBy: `U${i}` },
            honourExpiry: true,
          }),
        ),
      );
      const winners = results.filter((r) => r.kind === 'ok');
      expect(winners).toHaveLength(1);
      const final = (await store.get('race'))!;
      expect(
        results
          .filter((r) => r.kind === 'conflict')
          .every(
            (r) =>
              r.kind === 'conflict' &&
              r.record.state === final.state &&
              r.record.decidedBy === final.decidedBy,
          ),
      ).toBe(true);
    });

    it('approved → applying happens once, however many workers try', async () => {
      fresh();
      await store.save(sampleRecord({ id: 'apply', expiresAt: Date.now() + 60_000 }));
      await store.transition('apply', { from: ['proposed'], to: 'approved' });
      const tries = await Promise.all(
        Array.from({ length: 10 }, () => store.transition('apply', { from: ['approved'], to: 'applying' })),
      );
      expect(tries.filter((r) => r.kind === 'ok')).toHaveLength(1);
    });

    it('a decision after the expiry moves the proposal to expired instead, once', async () => {
      fresh();
      const now = Date.now();
      await store.save(sampleRecord({ id: 'old', createdAt: now - 2000, expiresAt: now - 1000 }));
      const late = await store.transition('old', {
        from: ['proposed'],
        to: 'approved',
        fields: { decidedBy: 'U1' },
        honourExpiry: true,
        now,
      });
      expect(late).toMatchObject({ kind: 'expired', record: { state: 'expired', decidedBy: null } });
      const later = await store.transition('old', { from: ['proposed'], to: 'approved', honourExpiry: true });
      expect(later).toMatchObject({ kind: 'conflict', record: { state: 'expired' } });
    });

    it('refuses illegal moves and reports missing proposals', async () => {
      fresh();
      await store.save(sampleRecord({ id: 'legal', expiresAt: Date.now() + 60_000 }));
      expect((await store.transition('legal', { from: ['applied'], to: 'rolling_back' })).kind).toBe(
        'conflict',
      );
      expect((await store.transition('nope', { from: ['proposed'], to: 'approved' })).kind).toBe('missing');
      expect(await store.get('nope')).toBeNull();
    });

    it('records the proposal message once; a racing duplicate learns the winner', async () => {
      fresh();
      await store.save(sampleRecord({ id: 'msg', expiresAt: Date.now() + 60_000 }));
      const [a, b] = await Promise.all([
        store.attachMessage('msg', '1.1'),
        store.attachMessage('msg', '2.2'),
      ]);
      expect([a!.won, b!.won].filter(Boolean)).toHaveLength(1);
      expect(a!.messageTs).toBe(b!.messageTs);
      await expect(store.attachMessage('nope', '3.3')).rejects.toMatchObject({ code: 'PROPOSAL_NOT_FOUND' });
    });

    it('follows only the legal moves of the state machine, whatever is asked', async () => {
      fresh();
      await store.save(sampleRecord({ id: 'walk', expiresAt: Date.now() + 60_000 }));
      const steps: Array<[string, string]> = [
        ['proposed', 'approved'],
        ['approved', 'applying'],
        ['applying', 'applied'],
        ['applied', 'rolling_back'],
        ['rolling_back', 'rollback_failed'],
        ['rollback_failed', 'rolling_back'],
        ['rolling_back', 'rolled_back'],
      ];
      for (const [from, to] of steps) {
        const r = await store.transition('walk', { from: [from as never], to: to as never });
        expect(r).toMatchObject({ kind: 'ok', previous: from, record: { state: to } });
      }
      const after = await store.transition('walk', { from: ['applied'], to: 'rolling_back' });
      expect(after).toMatchObject({ kind: 'conflict', record: { state: 'rolled_back' } });
    });

    it('keeps the applied template with the record', async () => {
      fresh();
      await store.save(sampleRecord({ id: 'tmpl', expiresAt: Date.now() + 60_000 }));
      const applied = { digest: 'a'.repeat(64), redacted: { spec: { containers: [] } } };
      await store.transition('tmpl', { from: ['proposed'], to: 'approved' });
      await store.transition('tmpl', { from: ['approved'], to: 'applying' });
      await store.transition('tmpl', {
        from: ['applying'],
        to: 'applied',
        fields: { appliedTemplate: JSON.stringify(applied) },
      });
      expect((await store.get('tmpl'))!.appliedTemplate).toEqual(applied);
    });

    it('approvals: counted once per person, the requester refused, the last needed one approves', async () => {
      fresh();
      const now = Date.now();
      await store.save(sampleRecord({ id: 'two', requestedBy: 'UREQ', expiresAt: now + 60_000 }));
      const approval = (by: string) => ({
        by,
        at: now,
        identity: { user: `${by.toLowerCase()}@example.com`, groups: ['sre'] },
        review: `${by} may patch`,
      });
      const rule = { needed: 2, refuse: ['UREQ'], now };
      expect(await store.recordApproval('two', approval('UREQ'), rule)).toMatchObject({ kind: 'refused' });
      expect(await store.recordApproval('two', approval('UA'), rule)).toMatchObject({
        kind: 'recorded',
        record: { state: 'proposed', approvals: [approval('UA')] },
      });
      expect(await store.recordApproval('two', approval('UA'), rule)).toMatchObject({ kind: 'duplicate' });
      expect(await store.recordApproval('two', approval('UB'), rule)).toMatchObject({
        kind: 'approved',
        record: { state: 'approved', decidedBy: 'UB', approvals: [approval('UA'), approval('UB')] },
      });
      expect(await store.recordApproval('two', approval('UC'), rule)).toMatchObject({ kind: 'conflict' });
      expect(await store.recordApproval('nope', approval('UC'), rule)).toEqual({ kind: 'missing' });
    });

    it('approvals racing: ten people, two needed, exactly one approval approves', async () => {
      fresh();
      const now = Date.now();
      await store.save(sampleRecord({ id: 'many', expiresAt: now + 60_000 }));
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          store.recordApproval(
            'many',
            { by: `U${i}`, at: now, identity: null, review: null },
            { needed: 2, refuse: [], now },
          ),
        ),
      );
      expect(results.filter((r) => r.kind === 'approved')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'recorded')).toHaveLength(1);
      expect((await store.get('many'))!.approvals).toHaveLength(2);
    });

    it('an approval after the expiry expires the proposal instead', async () => {
      fresh();
      const now = Date.now();
      await store.save(sampleRecord({ id: 'late', createdAt: now - 2000, expiresAt: now - 1000 }));
      const late = await store.recordApproval(
        'late',
        { by: 'UA', at: now, identity: null, review: null },
        { needed: 1, refuse: [], now },
      );
      expect(late).toMatchObject({ kind: 'expired', record: { state: 'expired', approvals: [] } });
    });
  });
}
