// Slack messages a job has posted, kept in Redis so a retried job edits them instead of posting again; and
// the LLM spend its attempts kept, so a retry starts from it.
import type { ClusterKeys } from './key-space.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * `progress`: the edited progress message; `outcome`: the final message; `followup`: a note after it (next
 * iteration); `run`: the MLflow run the job started, so a worker recovering the job can end it; `note:…`: one of
 * several notes a job posts (an alert job's notes per incident and channel); `spent`: the investigation's LLM
 * spend (JSON, an LlmSpend), overwritten before each call (counting it at its bound) and after it.
 */
export type MessageSlot = 'progress' | 'outcome' | 'followup' | 'run' | 'spent' | `note:${string}`;

const TTL_SECONDS = 7 * 24 * 3600;

export interface JobMessages {
  get(jobId: string, slot: MessageSlot): Promise<string | null>;
  /** Records `ts` unless another ts is already recorded; returns the recorded one and whether it is ours. */
  record(jobId: string, slot: MessageSlot, ts: string): Promise<{ won: boolean; ts: string }>;
  /** Drops a slot (the run a recovered job has ended), so this attempt can record its own. */
  forget(jobId: string, slot: MessageSlot): Promise<void>;
  /** Sets a slot whatever it held (a value that only grows, such as `spent`). */
  put(jobId: string, slot: MessageSlot, value: string): Promise<void>;
}

export function createJobMessages(
  redis: RedisConnection,
  keys: Pick<ClusterKeys, 'jobMessages'>,
): JobMessages {
  return {
    async get(jobId, slot) {
      return redis.hget(keys.jobMessages(jobId), slot);
    },
    async forget(jobId, slot) {
      await redis.hdel(keys.jobMessages(jobId), slot);
    },
    async put(jobId, slot, value) {
      const key = keys.jobMessages(jobId);
      await redis.multi().hset(key, slot, value).expire(key, TTL_SECONDS).exec();
    },
    async record(jobId, slot, ts) {
      const key = keys.jobMessages(jobId);
      const res = await redis.multi().hsetnx(key, slot, ts).hget(key, slot).expire(key, TTL_SECONDS).exec();
      const set = res?.[0]?.[1];
      const current = res?.[1]?.[1];
      return { won: set === 1, ts: typeof current === 'string' ? current : ts };
    },
  };
}
