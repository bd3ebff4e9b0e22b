// What a Slack thread holds (its MLflow run, its latest proposal), for callers that know only the thread.
import type { KeySpace } from './key-space.js';
import type { RedisConnection } from './redis-connection.js';
import type { SlackThread } from './jobs.js';

const TTL_SECONDS = 7 * 24 * 3600;

export type ThreadField = 'run' | 'proposal';

export interface ThreadIndex {
  /** The newest value wins: a next iteration's proposal replaces the one before. */
  set(thread: Pick<SlackThread, 'channel' | 'threadTs'>, field: ThreadField, value: string): Promise<void>;
  get(thread: Pick<SlackThread, 'channel' | 'threadTs'>): Promise<Partial<Record<ThreadField, string>>>;
}

export function createThreadIndex(redis: RedisConnection, keys: Pick<KeySpace, 'thread'>): ThreadIndex {
  const key = (t: Pick<SlackThread, 'channel' | 'threadTs'>): string => keys.thread(t.channel, t.threadTs);
  return {
    async set(thread, field, value) {
      await redis.multi().hset(key(thread), field, value).expire(key(thread), TTL_SECONDS).exec();
    },
    async get(thread) {
      const all = await redis.hgetall(key(thread));
      return { ...(all.run ? { run: all.run } : {}), ...(all.proposal ? { proposal: all.proposal } : {}) };
    },
  };
}
