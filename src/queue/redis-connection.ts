// ioredis connections for the two roles BullMQ distinguishes: producers fail fast, workers wait for Redis.
import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';

/**
 * - `producer`: the bot and its stores; a command fails at once when Redis is down
 *   (`enableOfflineQueue: false`) so the user hears about it instead of waiting.
 * - `worker`: blocking BullMQ connections; commands wait for a reconnect (`maxRetriesPerRequest: null`).
 */
export type RedisRole = 'producer' | 'worker';

export function createRedisConnection(url: string, role: RedisRole, logger?: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 5000,
    // Reconnect forever with a capped back-off: Redis restarts are survivable, not fatal.
    retryStrategy: (times) => Math.min(200 * times, 2000),
    lazyConnect: false,
  });
  let down = false;
  redis.on('error', (e: Error) => {
    // ioredis emits one error per failed reconnect; log the transition, not the storm.
    if (!down) logger?.warn({ role, err: e.message }, 'redis connection problem');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger?.info({ role }, 'redis connection restored');
    down = false;
  });
  return redis;
}

/** Closes a connection politely, or drops it when Redis is unreachable. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    if (redis.status === 'ready') await redis.quit();
    else redis.disconnect();
  } catch {
    redis.disconnect();
  }
}

/** Resolves true once the connection is ready, false after `timeoutMs` (the caller decides whether to go on). */
export function waitReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      redis.removeListener('ready', onReady);
      resolve(ok);
    };
    const onReady = (): void => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    redis.once('ready', onReady);
  });
}
