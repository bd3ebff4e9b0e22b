// The Redis stores against real Redis (Lua runs for real): exactly-once transitions, one claim per target.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActiveInvestigations } from '../../src/queue/active-investigations.js';
import { createJobMessages } from '../../src/queue/job-messages.js';
import { keySpace } from '../../src/queue/key-space.js';
import { createRedisProposalStore } from '../../src/store/redis-proposal-store.js';
import type { ProposalStore } from '../../src/workflow/proposal-store.js';
import { sampleRecord } from '../fixtures/proposal-record.js';
import { sandboxEnv } from './sandbox-env.js';
import { deletePrefix } from './support/slack-harness.js';

const prefix = `t${randomBytes(5).toString('hex')}`;
const keys = keySpace(prefix);
let redis: Redis;
let store: ProposalStore;
const target = { kind: 'Deployment' as const, name: 'web', namespace: 'shop' };

beforeAll(() => {
  redis = new Redis(sandboxEnv().REDIS_URL, { maxRetriesPerRequest: 1 });
  store = createRedisProposalStore(redis, keys);
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

describe('proposal store', () => {
  it('saves once: a retried job finds the first record untouched', async () => {
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
            r.kind === 'conflict' && r.record.state === final.state && r.record.decidedBy === final.decidedBy,
        ),
    ).toBe(true);
  });

  it('approved → applying happens once, however many workers try', async () => {
    await store.save(sampleRecord({ id: 'apply', expiresAt: Date.now() + 60_000 }));
    await store.transition('apply', { from: ['proposed'], to: 'approved' });
    const tries = await Promise.all(
      Array.from({ length: 10 }, () => store.transition('apply', { from: ['approved'], to: 'applying' })),
    );
    expect(tries.filter((r) => r.kind === 'ok')).toHaveLength(1);
  });

  it('a decision after the expiry moves the proposal to expired instead, once', async () => {
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
    await store.save(sampleRecord({ id: 'legal', expiresAt: Date.now() + 60_000 }));
    expect((await store.transition('legal', { from: ['applied'], to: 'rolling_back' })).kind).toBe(
      'conflict',
    );
    expect((await store.transition('nope', { from: ['proposed'], to: 'approved' })).kind).toBe('missing');
    expect(await store.get('nope')).toBeNull();
  });

  it('records the proposal message once; a racing duplicate learns the winner', async () => {
    await store.save(sampleRecord({ id: 'msg', expiresAt: Date.now() + 60_000 }));
    const [a, b] = await Promise.all([store.attachMessage('msg', '1.1'), store.attachMessage('msg', '2.2')]);
    expect([a!.won, b!.won].filter(Boolean)).toHaveLength(1);
    expect(a!.messageTs).toBe(b!.messageTs);
    await expect(store.attachMessage('nope', '3.3')).rejects.toMatchObject({ code: 'PROPOSAL_NOT_FOUND' });
  });

  it('keeps records for a week, so Rollback stays possible', async () => {
    const ttl = await redis.ttl(keys.proposal('msg'));
    expect(ttl).toBeGreaterThan(6 * 24 * 3600);
  });
});

describe('one active investigation per target', () => {
  it('claims once, points the second request at the thread, releases only for its owner', async () => {
    const active = createActiveInvestigations(redis, keys, 60);
    const first = await active.claim(target, { channel: 'C1', requestedBy: 'U1', owner: 'job-1' });
    expect(first.claimed).toBe(true);
    expect(await active.setThread(target, 'job-1', '9.9')).toBe(true);
    const second = await active.claim(target, { channel: 'C2', requestedBy: 'U2', owner: 'job-2' });
    expect(second).toMatchObject({
      claimed: false,
      running: { channel: 'C1', threadTs: '9.9', owner: 'job-1' },
    });
    expect(await active.release(target, 'job-2')).toBe(false);
    expect(await active.setThread(target, 'job-2', '8.8')).toBe(false);
    expect(await active.release(target, 'job-1')).toBe(true);
    expect((await active.claim(target, { channel: 'C2', requestedBy: 'U2', owner: 'job-2' })).claimed).toBe(
      true,
    );
    expect(await redis.ttl(keys.activeInvestigation('deployment/shop/web'))).toBeGreaterThan(50);
  });

  it('20 simultaneous /autofix for one target: one claim', async () => {
    const active = createActiveInvestigations(redis, keys, 60);
    const other = { ...target, name: 'api' };
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        active.claim(other, { channel: 'C', requestedBy: 'U', owner: `j${i}` }),
      ),
    );
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
  });
});

describe('job messages', () => {
  it('records one ts per job and slot', async () => {
    const messages = createJobMessages(redis, keys);
    expect(await messages.get('j', 'progress')).toBeNull();
    expect(await messages.record('j', 'progress', '1.1')).toEqual({ won: true, ts: '1.1' });
    expect(await messages.record('j', 'progress', '2.2')).toEqual({ won: false, ts: '1.1' });
    expect(await messages.record('j', 'outcome', '3.3')).toEqual({ won: true, ts: '3.3' });
  });
});
