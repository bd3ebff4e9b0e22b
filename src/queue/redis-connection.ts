// ioredis connections for the two roles BullMQ distinguishes (producers fail fast, workers wait for Redis), on a
// single Redis, a Redis Cluster or behind Sentinel.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import { coalesceWrites } from './coalesce-writes.js';

/** Either kind of ioredis client: both speak the same commands (Lua scripts here use one key each). */
export type RedisConnection = Redis | Cluster;

/**
 * - `producer`: the bot and its stores; a command fails at once when Redis is down
 *   (`enableOfflineQueue: false`) so the user hears about it instead of waiting.
 * - `worker`: blocking BullMQ connections; commands wait for a reconnect (`maxRetriesPerRequest: null`).
 */
export type RedisRole = 'producer' | 'worker';

/** A plain REDIS_URL (the tests' and the sandbox's) as a standalone configuration. */
export function standaloneRedis(url: string): RedisConfig {
  return {
    mode: 'standalone',
    urls: [url],
    sentinelMaster: null,
    username: null,
    password: null,
    tlsCaFile: null,
  };
}

interface Node {
  host: string;
  port: number;
  username: string | null;
  password: string | null;
  tls: boolean;
}

function nodeOf(url: string, defaultPort: number): Node {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : defaultPort,
    username: u.username ? decodeURIComponent(u.username) : null,
    password: u.password ? decodeURIComponent(u.password) : null,
    tls: u.protocol === 'rediss:',
  };
}

/** The nodes without credentials, for logs and error messages. */
export function describeRedis(cfg: RedisConfig): string {
  const hosts = cfg.urls.map((u) => {
    const n = nodeOf(u, cfg.mode === 'sentinel' ? 26379 : 6379);
    return `${n.tls ? 'rediss' : 'redis'}://${n.host}:${n.port}`;
  });
  const what =
    cfg.mode === 'sentinel'
      ? `sentinels ${hosts.join(', ')} (master ${cfg.sentinelMaster})`
      : hosts.join(', ');
  return cfg.mode === 'standalone' ? what : `Redis ${cfg.mode} ${what}`;
}

function tlsOf(cfg: RedisConfig, on: boolean): TlsOptions | undefined {
  if (!on) return undefined;
  return cfg.tlsCaFile ? { ca: readFileSync(cfg.tlsCaFile) } : {};
}

function roleOptions(role: RedisRole): RedisOptions {
  return {
    maxRetriesPerRequest: role === 'worker' ? null : 1,
    enableOfflineQueue: role === 'worker',
    connectTimeout: 5000,
    // Reconnect forever with a capped back-off: Redis restarts are survivable, not fatal.
    retryStrategy: (times) => Math.min(200 * times, 2000),
    lazyConnect: false,
  };
}

function connect(cfg: RedisConfig, role: RedisRole): RedisConnection {
  const base = roleOptions(role);
  if (cfg.mode === 'standalone') {
    const n = nodeOf(cfg.urls[0]!, 6379);
    return new Redis(cfg.urls[0]!, {
      ...base,
      ...(cfg.username ? { username: cfg.username } : {}),
      ...(cfg.password ? { password: cfg.password } : {}),
      ...(n.tls ? { tls: tlsOf(cfg, true) } : {}),
    });
  }
  if (cfg.mode === 'sentinel') {
    const sentinels = cfg.urls.map((u) => nodeOf(u, 26379));
    const first = sentinels[0]!;
    return new Redis({
      ...base,
      sentinels: sentinels.map((s) => ({ host: s.host, port: s.port })),
      name: cfg.sentinelMaster ?? '',
      ...(first.username ? { sentinelUsername: first.username } : {}),
      ...(first.password ? { sentinelPassword: first.password } : {}),
      ...(cfg.username ? { username: cfg.username } : {}),
      ...(cfg.password ? { password: cfg.password } : {}),
      // One scheme for all: rediss:// means TLS to the sentinels and to the master they name.
      ...(first.tls
        ? { tls: tlsOf(cfg, true), sentinelTLS: tlsOf(cfg, true), enableTLSForSentinelMode: true }
        : {}),
      sentinelRetryStrategy: (times) => Math.min(200 * times, 2000),
    });
  }
  const seeds = cfg.urls.map((u) => nodeOf(u, 6379));
  const first = seeds[0]!;
  const username = cfg.username ?? first.username;
  const password = cfg.password ?? first.password;
  const { enableOfflineQueue, retryStrategy: _single, ...perNode } = base;
  const options: ClusterOptions = {
    enableOfflineQueue,
    clusterRetryStrategy: (times) => Math.min(200 * times, 2000),
    redisOptions: {
      ...perNode,
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
      ...(first.tls ? { tls: tlsOf(cfg, true) } : {}),
    },
  };
  return new Cluster(
    seeds.map((s) => ({ host: s.host, port: s.port })),
    options,
  );
}

export function createRedisConnection(cfg: RedisConfig, role: RedisRole, logger?: Logger): RedisConnection {
  const redis = connect(cfg, role);
  // Producers send short bursts of commands per request; blocking worker connections send one at a time.
  if (role === 'producer') coalesceWrites(redis);
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
export async function closeRedis(redis: RedisConnection): Promise<void> {
  if (redis.status === 'end') return;
  try {
    if (redis.status === 'ready') await redis.quit();
    else redis.disconnect();
  } catch {
    redis.disconnect();
  }
}

/** Resolves true once the connection is ready, false after `timeoutMs` (the caller decides whether to go on). */
export function waitReady(redis: RedisConnection, timeoutMs: number): Promise<boolean> {
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
