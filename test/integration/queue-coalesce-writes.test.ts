// The producer connection's commands of one event-loop turn leave in one socket write, in order, on a real Redis
// and on each node of a real Redis Cluster; a reconnect's new socket is coalesced too; worker connections are not.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeRedis,
  createRedisConnection,
  standaloneRedis,
  waitReady,
  type RedisConnection,
} from '../../src/queue/redis-connection.js';
import type { RedisConfig } from '../../src/config/config.js';
import { startOwnRedisCluster, type OwnRedisCluster } from '../../tools/stand-ins/redis-cluster.js';
import { sandboxEnv } from './sandbox-env.js';
import { waitFor } from './support/wait-for.js';

const url = sandboxEnv().REDIS_URL;
const key = (name: string): string => `coalesce:${randomBytes(4).toString('hex')}:${name}`;
const opened: RedisConnection[] = [];

async function connection(cfg: RedisConfig, role: 'producer' | 'worker'): Promise<RedisConnection> {
  const c = createRedisConnection(cfg, role);
  opened.push(c);
  expect(await waitReady(c, 10_000)).toBe(true);
  return c;
}

/** Counts the system-level writes of a socket: one `_write` or `_writev` each, however many chunks. */
function countWrites(redis: Redis): { writes: () => number; chunks: () => number } {
  const stream = redis.stream as Redis['stream'] & {
    _write: (...a: unknown[]) => void;
    _writev: (chunks: unknown[], cb: unknown) => void;
  };
  let writes = 0;
  let chunks = 0;
  const single = stream._write.bind(stream);
  const many = stream._writev.bind(stream);
  stream._write = (...a: unknown[]) => {
    writes += 1;
    chunks += 1;
    single(...a);
  };
  stream._writev = (list: unknown[], cb: unknown) => {
    writes += 1;
    chunks += list.length;
    many(list, cb);
  };
  return { writes: () => writes, chunks: () => chunks };
}

let rc: OwnRedisCluster;

beforeAll(async () => {
  rc = await startOwnRedisCluster(3);
}, 120_000);

afterAll(async () => {
  for (const c of opened) await closeRedis(c);
  await rc?.stop();
});

describe('producer connections coalesce each turn’s writes', () => {
  it('three commands sent together leave in one write and run in the order sent', async () => {
    const redis = (await connection(standaloneRedis(url), 'producer')) as Redis;
    const k = key('order');
    const count = countWrites(redis);
    const replies = await Promise.all([redis.set(k, 'a'), redis.append(k, 'b'), redis.get(k)]);
    expect(replies).toEqual(['OK', 2, 'ab']);
    expect(count.writes()).toBe(1);
    expect(count.chunks()).toBe(3);
    // Commands awaited one after the other are each sent on their own turn, none held back.
    expect(await redis.get(k)).toBe('ab');
    expect(await redis.del(k)).toBe(1);
    expect(count.writes()).toBe(3);
  });

  it('a reconnect’s new socket is coalesced as well', async () => {
    const redis = (await connection(standaloneRedis(url), 'producer')) as Redis;
    const before = redis.stream;
    redis.disconnect(true);
    await waitFor(async () => redis.status === 'ready' && redis.stream !== before, {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: 'the connection back on a new socket',
    });
    const count = countWrites(redis);
    const k = key('again');
    expect(await Promise.all([redis.set(k, '1'), redis.incr(k), redis.del(k)])).toEqual(['OK', 2, 1]);
    expect(count.writes()).toBe(1);
  });

  it('a worker’s (blocking) connection writes each command as it is sent', async () => {
    const redis = (await connection(standaloneRedis(url), 'worker')) as Redis;
    const count = countWrites(redis);
    const k = key('worker');
    await Promise.all([redis.set(k, 'x'), redis.get(k), redis.del(k)]);
    expect(count.writes()).toBe(3);
  });

  it('on a Redis Cluster, each node’s commands of a turn leave in one write', async () => {
    const cfg: RedisConfig = { ...standaloneRedis(rc.url), mode: 'cluster', urls: rc.url.split(',') };
    const cluster = await connection(cfg, 'producer');
    // One hash tag: every key on one node, so the whole turn goes to one socket.
    const tag = `{${randomBytes(3).toString('hex')}}`;
    await cluster.set(`${tag}:warm`, '1');
    // Only connected nodes can be written to (the others connect on their first command).
    const counts = (cluster as Extract<RedisConnection, { nodes: unknown }>)
      .nodes('master')
      .filter((n) => n.stream !== undefined)
      .map((n) => countWrites(n));
    const replies = await Promise.all([
      cluster.set(`${tag}:a`, '1'),
      cluster.set(`${tag}:b`, '2'),
      cluster.mget(`${tag}:a`, `${tag}:b`),
      cluster.del(`${tag}:a`, `${tag}:b`, `${tag}:warm`),
    ]);
    expect(replies).toEqual(['OK', 'OK', ['1', '2'], 3]);
    expect(counts.reduce((n, c) => n + c.writes(), 0)).toBe(1);
    expect(counts.reduce((n, c) => n + c.chunks(), 0)).toBe(4);
  });
});
