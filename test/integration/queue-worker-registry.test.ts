// Worker registrations on real Redis: announced, renewed, seen as gone after missed beats or a clean stop, with
// the heartbeat in Redis's own clock; what the bot reads to route and refuse.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterDirectory } from '../../src/bot/cluster-directory.js';
import { createLogger } from '../../src/observability/logger.js';
import { keySpace } from '../../src/queue/key-space.js';
import { FORGET_AFTER_MS, announceWorker, readRegistrations } from '../../src/queue/worker-registry.js';
import { sandboxEnv } from './sandbox-env.js';
import { deletePrefix } from './support/slack-harness.js';
import { waitFor } from './support/wait-for.js';

const logger = createLogger('silent');
const prefix = `t${randomBytes(5).toString('hex')}`;
const keys = keySpace(prefix);
let redis: Redis;
const input = (cluster: string, heartbeatMs = 200) => ({
  cluster,
  version: '0.1.0',
  namespaces: ['shop', 'payments'],
  engine: 'rules',
  concurrency: 2,
  heartbeatMs,
});

beforeAll(() => {
  redis = new Redis(sandboxEnv().REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  await deletePrefix(redis, prefix);
  redis.disconnect();
});

describe('worker registrations', () => {
  it('are read with their heartbeat in Redis time, renewed while running', async () => {
    const a = await announceWorker(redis, keys, input('prod-eu'), logger);
    try {
      const first = await readRegistrations(redis, keys);
      const mine = first.workers.find((w) => w.registration.workerId === a.workerId)!;
      expect(mine.registration).toMatchObject({
        cluster: 'prod-eu',
        namespaces: ['shop', 'payments'],
        state: 'running',
      });
      expect(mine.live).toBe(true);
      const [sec, usec] = await redis.time();
      expect(Math.abs(Number(sec) * 1000 + Math.floor(Number(usec) / 1000) - first.now)).toBeLessThan(1000);
      const firstBeat = mine.heartbeatAt;
      await waitFor(
        async () =>
          (await readRegistrations(redis, keys)).workers.find((w) => w.registration.workerId === a.workerId)!
            .heartbeatAt > firstBeat,
        { what: 'a renewed heartbeat', timeoutMs: 5000, intervalMs: 50 },
      );
    } finally {
      await a.stop();
    }
  });

  it('a clean stop is gone at once; a silent worker after three missed beats; both keep "last seen"', async () => {
    const stopped = await announceWorker(redis, keys, input('stopping'), logger);
    await stopped.stop();
    // A SIGKILLed worker writes nothing more: its last beat, 2 s ago, was meant to be renewed every 150 ms.
    const [sec] = await redis.time();
    const killedAt = Number(sec) * 1000 - 2000;
    const reg = { ...input('killed', 150), workerId: 'k1', startedAt: killedAt, state: 'running' };
    await redis.hset(keys.workers, 'killed/k1', `${killedAt} ${JSON.stringify(reg)}`);
    const dir = await createClusterDirectory({ redis, keys, botNamespaces: [], ttlMs: 0 }).snapshot();
    expect(dir.clusters.get('stopping')!.live).toEqual([]);
    expect(dir.clusters.get('stopping')!.lastSeenMs).toBeLessThan(2000);
    expect(dir.clusters.get('killed')!.live).toEqual([]);
    expect(dir.clusters.get('killed')!.lastSeenMs).toBeGreaterThanOrEqual(1000);
    expect(dir.clusters.get('killed')!.namespaces).toEqual(['shop', 'payments']);
  });

  it('forgets a worker not seen for a week when another one beats', async () => {
    const field = 'ancient/w0';
    const old = Date.now() - FORGET_AFTER_MS - 60_000;
    await redis.hset(
      keys.workers,
      field,
      `${old} ${JSON.stringify({ ...input('ancient'), workerId: 'w0', startedAt: old, state: 'running' })}`,
    );
    expect(
      (await readRegistrations(redis, keys)).workers.some((w) => w.registration.cluster === 'ancient'),
    ).toBe(true);
    const a = await announceWorker(redis, keys, input('fresh'), logger);
    await a.stop();
    expect(await redis.hexists(keys.workers, field)).toBe(0);
  });

  it('the bot sees each cluster with its live workers and what they allow', async () => {
    const eu1 = await announceWorker(redis, keys, input('eu'), logger);
    const eu2 = await announceWorker(redis, keys, { ...input('eu'), namespaces: ['shop'] }, logger);
    try {
      const dir = await createClusterDirectory({ redis, keys, botNamespaces: [], ttlMs: 0 }).snapshot();
      const eu = dir.clusters.get('eu')!;
      expect(eu.live.map((w) => w.registration.workerId).sort()).toEqual([eu1.workerId, eu2.workerId].sort());
      expect(eu.namespaces).toEqual(['shop']);
    } finally {
      await eu1.stop();
      await eu2.stop();
    }
  });
});
