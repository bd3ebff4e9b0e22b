// The ProposalStore in Redis: atomic state transitions in Lua, so every decision and step happens once.
// Each script touches one key, so it runs as well on Redis Cluster as on a single Redis.
import type { Cluster, Redis } from 'ioredis';
import { ZodError } from 'zod';
import {
  MUTABLE_FIELDS,
  decodeRecord,
  encodeRecord,
  pairsToHash,
  type ProposalState,
  type StoredProposal,
} from '../workflow/proposal-record.js';
import {
  RETENTION_SECONDS,
  StoreError,
  StoreErrorCode,
  fieldPairs,
  type ApprovalResult,
  type ProposalStore,
} from '../workflow/proposal-store.js';
import { Approval } from '../workflow/approval.js';

// KEYS[1] record; ARGV: retention seconds, then field/value pairs. Creates only when absent.
const SAVE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1`;

// KEYS[1] record; ARGV: allowed from-states (comma list), to-state, now ms, honour expiry (1/0),
// retention seconds, then field/value pairs. Reply: {status, previous state, HGETALL…}.
const TRANSITION = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing', ''} end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do
  if s == state then allowed = true end
end
if not allowed then
  local r = {'conflict', state}
  for _, v in ipairs(redis.call('HGETALL', KEYS[1])) do table.insert(r, v) end
  return r
end
local status = 'ok'
if ARGV[4] == '1' and tonumber(ARGV[3]) > tonumber(redis.call('HGET', KEYS[1], 'expiresAt') or '0') then
  redis.call('HSET', KEYS[1], 'state', 'expired', 'updatedAt', ARGV[3], 'decidedAt', ARGV[3])
  status = 'expired'
else
  redis.call('HSET', KEYS[1], 'state', ARGV[2], 'updatedAt', ARGV[3])
  for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
local r = {status, state}
for _, v in ipairs(redis.call('HGETALL', KEYS[1])) do table.insert(r, v) end
return r`;

// KEYS[1] record; ARGV: approver, approval JSON, needed, refused approvers (comma list), now ms, retention
// seconds. Reply: {status, HGETALL…}; the approvals list is kept as a JSON array string.
const APPROVE = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'missing'} end
local function reply(status)
  local r = {status}
  for _, v in ipairs(redis.call('HGETALL', KEYS[1])) do table.insert(r, v) end
  return r
end
if state ~= 'proposed' then return reply('conflict') end
if tonumber(ARGV[5]) > tonumber(redis.call('HGET', KEYS[1], 'expiresAt') or '0') then
  redis.call('HSET', KEYS[1], 'state', 'expired', 'updatedAt', ARGV[5], 'decidedAt', ARGV[5])
  redis.call('EXPIRE', KEYS[1], ARGV[6])
  return reply('expired')
end
for who in string.gmatch(ARGV[4], '[^,]+') do
  if who == ARGV[1] then return reply('refused') end
end
local raw = redis.call('HGET', KEYS[1], 'approvals')
if not raw or raw == '' then raw = '[]' end
local list = cjson.decode(raw)
for _, a in ipairs(list) do
  if a.by == ARGV[1] then return reply('duplicate') end
end
local joined = '[' .. ARGV[2] .. ']'
if #list > 0 then joined = string.sub(raw, 1, -2) .. ',' .. ARGV[2] .. ']' end
redis.call('HSET', KEYS[1], 'approvals', joined, 'updatedAt', ARGV[5])
local status = 'recorded'
if #list + 1 >= tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'state', 'approved', 'decidedBy', ARGV[1], 'decidedAt', ARGV[5])
  status = 'approved'
end
redis.call('EXPIRE', KEYS[1], ARGV[6])
return reply(status)`;

// KEYS[1] record; ARGV[1] ts. Reply: {1 if this call set it, the stored ts} or {-1, ''} when missing.
const ATTACH = `
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, ''} end
local set = redis.call('HSETNX', KEYS[1], 'messageTs', ARGV[1])
return {set, redis.call('HGET', KEYS[1], 'messageTs')}`;

function decodeOrThrow(id: string, hash: Record<string, string>): StoredProposal | null {
  try {
    return decodeRecord(hash);
  } catch (e) {
    if (e instanceof ZodError || e instanceof SyntaxError) {
      throw new StoreError(StoreErrorCode.CorruptRecord, `Stored proposal ${id} does not parse.`, {
        cause: e,
      });
    }
    throw e;
  }
}

/** `keyOf` names the Redis hash of a proposal id (the queue's key space decides the prefix). */
export function createRedisProposalStore(
  redis: Redis | Cluster,
  keys: { proposal(id: string): string },
): ProposalStore {
  const load = async (id: string): Promise<StoredProposal> => {
    const r = decodeOrThrow(id, await redis.hgetall(keys.proposal(id)));
    if (!r)
      throw new StoreError(
        StoreErrorCode.ProposalNotFound,
        `Proposal ${id} is not stored (expired after ${RETENTION_SECONDS}s, or never made).`,
      );
    return r;
  };
  return {
    async save(record, now = Date.now()) {
      const pairs = Object.entries(encodeRecord(record, now)).flat();
      const created =
        (await redis.eval(SAVE, 1, keys.proposal(record.id), RETENTION_SECONDS, ...pairs)) === 1;
      return { created, record: await load(record.id) };
    },

    async get(id) {
      return decodeOrThrow(id, await redis.hgetall(keys.proposal(id)));
    },

    async transition(id, req) {
      const now = req.now ?? Date.now();
      const reply = (await redis.eval(
        TRANSITION,
        1,
        keys.proposal(id),
        req.from.join(','),
        req.to,
        now,
        req.honourExpiry ? '1' : '0',
        RETENTION_SECONDS,
        ...fieldPairs(req.fields, MUTABLE_FIELDS).flat(),
      )) as unknown[];
      const [status, previous, ...flat] = reply.map(String);
      if (status === 'missing') return { kind: 'missing' };
      const record = decodeOrThrow(id, pairsToHash(flat));
      if (!record) return { kind: 'missing' };
      if (status === 'conflict') return { kind: 'conflict', record };
      const prev = previous as ProposalState;
      return status === 'expired'
        ? { kind: 'expired', record, previous: prev }
        : { kind: 'ok', record, previous: prev };
    },

    async recordApproval(id, approval, rule) {
      const reply = (await redis.eval(
        APPROVE,
        1,
        keys.proposal(id),
        approval.by,
        JSON.stringify(Approval.parse(approval)),
        rule.needed,
        rule.refuse.join(','),
        rule.now,
        RETENTION_SECONDS,
      )) as unknown[];
      const [status, ...flat] = reply.map(String);
      if (status === 'missing') return { kind: 'missing' };
      const record = decodeOrThrow(id, pairsToHash(flat));
      if (!record) return { kind: 'missing' };
      return { kind: status as Exclude<ApprovalResult['kind'], 'missing'>, record };
    },

    async attachMessage(id, ts) {
      const [set, current] = (await redis.eval(ATTACH, 1, keys.proposal(id), ts)) as [number, string];
      if (set === -1) throw new StoreError(StoreErrorCode.ProposalNotFound, `Proposal ${id} is not stored.`);
      return { won: set === 1, messageTs: current };
    },
  };
}
