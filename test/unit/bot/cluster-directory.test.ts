// The bot's view of the clusters: grouping, liveness, the allowlist a command is checked against, and the cache.
import { describe, expect, it } from 'vitest';
import { clusterList, createClusterDirectory, directoryOf } from '../../../src/bot/cluster-directory.js';
import type { RedisConnection } from '../../../src/queue/redis-connection.js';
import { NOW, seen } from '../../fixtures/registrations.js';

describe('directoryOf', () => {
  it('groups by cluster in name order; a worker silent for more than three beats or stopped is not live', () => {
    const dir = directoryOf(
      NOW,
      [seen('staging', 1000), seen('prod-eu', 31_000), seen('prod-eu', 5000, { state: 'stopped' })],
      [],
    );
    expect([...dir.clusters.keys()]).toEqual(['prod-eu', 'staging']);
    expect(dir.clusters.get('staging')!.live).toHaveLength(1);
    const prod = dir.clusters.get('prod-eu')!;
    expect(prod.live).toEqual([]);
    expect(prod.all).toHaveLength(2);
    // Last seen: the newest heartbeat, stopped or not.
    expect(prod.lastSeenMs).toBe(5000);
  });

  it('allows what every live worker allows; with none live, what the last one seen allowed', () => {
    const dir = directoryOf(
      NOW,
      [
        seen('a', 1000, { namespaces: ['shop', 'payments'] }),
        seen('a', 2000, { namespaces: ['shop'] }),
        seen('b', 60_000, { namespaces: ['old'] }),
        seen('b', 40_000, { namespaces: ['shop', 'new'] }),
      ],
      [],
    );
    expect(dir.clusters.get('a')!.namespaces).toEqual(['shop']);
    expect(dir.clusters.get('b')!.namespaces).toEqual(['shop', 'new']);
  });

  it("the bot's own AUTOFIX_NAMESPACES, when set, narrows every cluster", () => {
    const dir = directoryOf(NOW, [seen('a', 1000, { namespaces: ['shop', 'payments'] })], ['payments']);
    expect(dir.clusters.get('a')!.namespaces).toEqual(['payments']);
  });

  it('lists workers for `/autofix clusters` with their age and the channel default', () => {
    const dir = directoryOf(NOW, [seen('a', 1000), seen('a', 600_000, { state: 'stopped' })], []);
    expect(clusterList(dir, 'a')).toMatchObject([
      {
        name: 'a',
        channelDefault: true,
        workers: [
          { live: true, stopped: false, ageMs: 1000 },
          { live: false, stopped: true, ageMs: 600_000 },
        ],
      },
    ]);
  });
});

describe('createClusterDirectory', () => {
  function fakeRedis(replies: unknown[][]): { redis: RedisConnection; reads: () => number } {
    let reads = 0;
    const redis = {
      eval: async () => {
        reads += 1;
        return replies[Math.min(reads, replies.length) - 1];
      },
    } as unknown as RedisConnection;
    return { redis, reads: () => reads };
  }
  const entry = (cluster: string, at: number) => `${at} ${JSON.stringify(seen(cluster, 0).registration)}`;

  it('reads once for a burst of commands and again after the cache lapses', async () => {
    let clock = 0;
    const { redis, reads } = fakeRedis([[String(NOW), 'a/w1', entry('a', NOW - 1000)]]);
    const dir = createClusterDirectory({
      redis,
      keys: { workers: 'k' },
      botNamespaces: [],
      ttlMs: 1500,
      now: () => clock,
    });
    const all = await Promise.all([dir.snapshot(), dir.snapshot(), dir.snapshot()]);
    expect(reads()).toBe(1);
    expect(all[0]!.clusters.get('a')!.live).toHaveLength(1);
    clock = 1000;
    await dir.snapshot();
    expect(reads()).toBe(1);
    clock = 2000;
    await dir.snapshot();
    expect(reads()).toBe(2);
  });

  it('a fresh read (a click that acts) skips the cache and sees a worker that stopped a moment ago', async () => {
    const running = entry('a', NOW - 1000);
    const stopped = `${NOW} ${JSON.stringify(seen('a', 0, { state: 'stopped' }).registration)}`;
    const { redis, reads } = fakeRedis([
      [String(NOW), 'a/w1', running],
      [String(NOW), 'a/w1', stopped],
    ]);
    const dir = createClusterDirectory({ redis, keys: { workers: 'k' }, botNamespaces: [], now: () => 0 });
    expect((await dir.snapshot()).clusters.get('a')!.live).toHaveLength(1);
    expect((await dir.snapshot()).clusters.get('a')!.live).toHaveLength(1);
    expect(reads()).toBe(1);
    expect((await dir.snapshot({ fresh: true })).clusters.get('a')!.live).toHaveLength(0);
    expect(reads()).toBe(2);
    // The fresh read refills the cache for the commands after it.
    expect((await dir.snapshot()).clusters.get('a')!.live).toHaveLength(0);
    expect(reads()).toBe(2);
  });

  it('a read that began before a fresh one does not put the older facts back in the cache', async () => {
    const running = entry('a', NOW - 1000);
    const stopped = `${NOW} ${JSON.stringify(seen('a', 0, { state: 'stopped' }).registration)}`;
    const pending: Array<(reply: string[]) => void> = [];
    const redis = {
      eval: () => new Promise<string[]>((resolve) => pending.push(resolve)),
    } as unknown as RedisConnection;
    let clock = 0;
    const dir = createClusterDirectory({
      redis,
      keys: { workers: 'k' },
      botNamespaces: [],
      now: () => clock,
    });
    const cachedRead = dir.snapshot();
    clock = 10;
    const freshRead = dir.snapshot({ fresh: true });
    // The fresh read answers first (the worker has stopped), the older one after it (from before the stop).
    pending[1]!([String(NOW), 'a/w1', stopped]);
    expect((await freshRead).clusters.get('a')!.live).toHaveLength(0);
    pending[0]!([String(NOW), 'a/w1', running]);
    expect((await cachedRead).clusters.get('a')!.live).toHaveLength(1);
    clock = 20;
    expect((await dir.snapshot()).clusters.get('a')!.live).toHaveLength(0);
    expect(pending).toHaveLength(2);
  });

  it('skips a registration it cannot read (a newer worker’s) instead of failing', async () => {
    const { redis } = fakeRedis([
      [String(NOW), 'a/w1', 'not-a-number {}', 'b/w2', `${NOW} {"cluster":1}`, 'c/w3', entry('c', NOW)],
    ]);
    const dir = await createClusterDirectory({ redis, keys: { workers: 'k' }, botNamespaces: [] }).snapshot();
    expect([...dir.clusters.keys()]).toEqual(['c']);
  });

  it('fails when Redis does not answer in time, so the command is told at once', async () => {
    const redis = { eval: () => new Promise(() => undefined) } as unknown as RedisConnection;
    const dir = createClusterDirectory({ redis, keys: { workers: 'k' }, botNamespaces: [], timeoutMs: 50 });
    await expect(dir.snapshot()).rejects.toThrow(/no answer within 50 ms/);
  });
});
