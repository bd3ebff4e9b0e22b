// One active investigation per target of a cluster: a Redis claim (SET NX with a TTL) pointing at the running thread.
import { z } from 'zod';
import type { Target } from '../domain/index.js';
import { targetKey } from '../domain/index.js';
import type { ClusterKeys } from './key-space.js';
import type { RedisConnection } from './redis-connection.js';

export const ActiveInvestigation = z.object({
  channel: z.string(),
  /** Null while the parent message is being posted. */
  threadTs: z.string().nullable(),
  requestedBy: z.string(),
  since: z.number().int(),
  /** Identifies the claim's owner so only it can update or release it. */
  owner: z.string(),
});
export type ActiveInvestigation = z.infer<typeof ActiveInvestigation>;

/** Longer than any investigation; a claim left by a crashed bot or worker frees itself after this. */
export const CLAIM_TTL_SECONDS = 30 * 60;

// KEYS[1] claim; ARGV[1] owner; ARGV[2] the thread's ts, or '' to delete. Only the owner may change it;
// the thread is set in the script itself (one round trip on the bot's path per command, not a read and a write).
const OWNED_UPDATE = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local claim = cjson.decode(raw)
if claim.owner ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) return 1 end
claim.threadTs = ARGV[2]
redis.call('SET', KEYS[1], cjson.encode(claim), 'KEEPTTL')
return 1`;

export type ClaimResult =
  { claimed: true; claim: ActiveInvestigation } | { claimed: false; running: ActiveInvestigation | null };

export interface ActiveInvestigations {
  claim(
    target: Target,
    holder: Omit<ActiveInvestigation, 'threadTs' | 'since'>,
    now?: number,
  ): Promise<ClaimResult>;
  /** Records the thread once the parent message exists. */
  setThread(target: Target, owner: string, threadTs: string): Promise<boolean>;
  get(target: Target): Promise<ActiveInvestigation | null>;
  /** Frees the target, if `owner` still holds it. */
  release(target: Target, owner: string): Promise<boolean>;
}

function parse(raw: string | null): ActiveInvestigation | null {
  if (raw === null) return null;
  const r = ActiveInvestigation.safeParse(JSON.parse(raw));
  return r.success ? r.data : null;
}

export function createActiveInvestigations(
  redis: RedisConnection,
  keys: Pick<ClusterKeys, 'activeInvestigation'>,
  ttlSeconds = CLAIM_TTL_SECONDS,
): ActiveInvestigations {
  const key = (t: Target): string => keys.activeInvestigation(targetKey(t));
  const get = async (t: Target): Promise<ActiveInvestigation | null> => parse(await redis.get(key(t)));
  return {
    async claim(target, holder, now = Date.now()) {
      const claim: ActiveInvestigation = { ...holder, threadTs: null, since: now };
      const ok = await redis.set(key(target), JSON.stringify(claim), 'EX', ttlSeconds, 'NX');
      return ok === 'OK' ? { claimed: true, claim } : { claimed: false, running: await get(target) };
    },
    async setThread(target, owner, threadTs) {
      return (await redis.eval(OWNED_UPDATE, 1, key(target), owner, threadTs)) === 1;
    },
    get,
    async release(target, owner) {
      return (await redis.eval(OWNED_UPDATE, 1, key(target), owner, '')) === 1;
    },
  };
}
