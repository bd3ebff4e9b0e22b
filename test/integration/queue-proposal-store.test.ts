// The Redis stores against real Redis (Lua runs for real): exactly-once transitions, one claim per target.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActiveInvestigations } from '../../src/queue/active-investigations.js';
import { createJobMessages } from '../../src/queue/job-messages.js';
import { keySpace } from '../../src/queue/key-space.js';
import { createRedisProposalStore } from '../../src/store/redis-proposal-store.js';
import { proposalStoreContract } from '../contract/proposal-store-contract.js';
import { sampleRecord } from '../fixtures/proposal-record.js';
import { sandboxEnv } from './sandbox-env.js';
import { deletePrefix } from './support/slack-harness.js';

const prefix = `t${randomBytes(5).toString('hex')}`;
const keys = keySpace(prefix);
let redis: Redis;
const target = { kind: 'Deployment' as const, name: 'web', namespace: 'shop' };

beforeAll(() => {
  redis = new Redis(sandboxEnv().REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

proposalStoreContract('Redis (Lua)', () =>
  createRedisProposalStore(redis, keySpace(`${prefix}${randomBytes(3).toString('hex')}`)),
);

describe('Redis proposal store', () => {
  it('keeps records for a week, so Rollback stays possible', async () => {
    const store = createRedisProposalStore(redis, keys);
    await store.save(sampleRecord({ id: 'msg', expiresAt: Date.now() + 60_000 }));
    const ttl = await redis.ttl(keys.proposal('msg'));
    expect(ttl).toBeGreaterThan(6 * 24 * 3600);
  });
});

describe('one active investigation per target', () => {
  it('claims once, points the second request at the thread, releases only for its owner', async () => {
    const active = createActiveInvestigations(redis, keys.cluster('default'), 60);
    const first = await active.claim(target, { channel: 'C1', requestedBy: 'U1', owner: 'job-1' });
    expect(first.claimed).toBe(true);
    expect(await active.setThread(target, 'job-1', '9.9')).toBe(true);
    const second = await active.claim(target, { channel: 'C2', requestedBy: 'U2', owner: 'job-2' });
    expect(second).toMatchObject({
      claimed: false,
      // The thread is set in Redis's script: the rest of the claim (its start, to the ms) is as it was.
      running: {
        channel: 'C1',
        threadTs: '9.9',
        owner: 'job-1',
        since: first.claimed ? first.claim.since : -1,
      },
    });
    expect(await active.release(target, 'job-2')).toBe(false);
    expect(await active.setThread(target, 'job-2', '8.8')).toBe(false);
    expect(await active.release(target, 'job-1')).toBe(true);
    expect((await active.claim(target, { channel: 'C2', requestedBy: 'U2', owner: 'job-2' })).claimed).toBe(
      true,
    );
    expect(
      await redis.ttl(keys.cluster('default').activeInvestigation('deployment/shop/web')),
    ).toBeGreaterThan(50);
  });

  it('the same workload on two clusters is two targets: each is claimed on its own', async () => {
    const same = { ...target, name: 'twin' };
    const eu = createActiveInvestigations(redis, keys.cluster('prod-eu'), 60);
    const us = createActiveInvestigations(redis, keys.cluster('prod-us'), 60);
    expect((await eu.claim(same, { channel: 'C', requestedBy: 'U', owner: 'eu' })).claimed).toBe(true);
    expect((await us.claim(same, { channel: 'C', requestedBy: 'U', owner: 'us' })).claimed).toBe(true);
    expect((await eu.claim(same, { channel: 'C', requestedBy: 'U', owner: 'eu2' })).claimed).toBe(false);
  });

  it('20 simultaneous /autofix for one target: one claim', async () => {
    const active = createActiveInvestigations(redis, keys.cluster('default'), 60);
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
    const messages = createJobMessages(redis, keys.cluster('default'));
    expect(await messages.get('j', 'progress')).toBeNull();
    expect(await messages.record('j', 'progress', '1.1')).toEqual({ won: true, ts: '1.1' });
    expect(await messages.record('j', 'progress', '2.2')).toEqual({ won: false, ts: '1.1' });
    expect(await messages.record('j', 'outcome', '3.3')).toEqual({ won: true, ts: '3.3' });
  });

  it('put overwrites a slot, with the same expiry as the messages', async () => {
    const messages = createJobMessages(redis, keys.cluster('default'));
    await messages.put('k', 'spent', '{"calls":1}');
    await messages.put('k', 'spent', '{"calls":2}');
    expect(await messages.get('k', 'spent')).toBe('{"calls":2}');
    const ttl = await redis.ttl(keys.cluster('default').jobMessages('k'));
    expect(ttl).toBeGreaterThan(6 * 24 * 3600);
  });
});
