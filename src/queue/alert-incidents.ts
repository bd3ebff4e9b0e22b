// Alert incidents in Redis: a workload's alerts, grouped into one thread, decided in one atomic step per webhook.
import { z } from 'zod';
import { TargetRef } from '../domain/index.js';
import type { AlertKeys } from './key-space.js';
import type { RedisConnection } from './redis-connection.js';

/** What the thread's parent quotes (bounded by the receiver; rendered escaped). */
export const AlertFacts = z.object({
  alertname: z.string().max(200),
  severity: z.string().max(100).nullable(),
  summary: z.string().max(1000).nullable(),
  description: z.string().max(2000).nullable(),
  startsAt: z.string().max(64),
  generatorURL: z.string().max(3000).nullable(),
  externalURL: z.string().max(3000).nullable(),
  fingerprint: z.string().max(64),
  groupKey: z.string().max(2000),
  cluster: z.string().max(253).nullable(),
});
export type AlertFacts = z.infer<typeof AlertFacts>;

/**
 * `opening`: decided to open a thread, not posted yet (owner: the alert job that posts it); `open`: has its
 * thread; `skipped`: over the storm bound, listed but not investigated (its repeats stay quiet until it expires).
 */
export const IncidentState = z.enum(['opening', 'open', 'skipped']);

export const AlertIncident = z.object({
  id: z.string(),
  state: IncidentState,
  owner: z.string(),
  openedAt: z.number(),
  channel: z.string(),
  threadTs: z.string().nullable().default(null),
  ref: TargetRef,
  facts: AlertFacts,
  /** Names of every alert that joined (the first is the one quoted). */
  alertnames: z.array(z.string()).min(1),
  /** Fingerprints of its alerts still firing. */
  firing: z.record(z.string(), z.boolean()),
  /**
   * Fingerprints of every alert that fired in it (up to MAX_SEEN), so that once it resolved a flap (one of
   * these firing again) is told from a new failure (an alert it never saw: a new release's pods, another rule).
   */
  seen: z.record(z.string(), z.boolean()).default({}),
  /** Notifications (webhooks) that carried it, retries of one not counted. */
  notifications: z.number().int(),
  firstSeen: z.number(),
  lastSeen: z.number(),
  /** When its last firing alert resolved (Alertmanager's endsAt); null while any fires. */
  resolvedAt: z.string().nullable().default(null),
  /** Set once the investigation (or the pod's resolution) is enqueued, so a retried job does not enqueue twice. */
  investigation: z.string().nullable().default(null),
});
export type AlertIncident = z.infer<typeof AlertIncident>;

/** One alert of a webhook, as the atomic step gets it. */
export interface AlertItem {
  kind: 'alert';
  incident: string;
  fingerprint: string;
  status: 'firing' | 'resolved';
  /** Alertmanager's endsAt for a resolved alert. */
  endsAt: string;
  /** The incident to create when this alert opens one. */
  create: Pick<AlertIncident, 'id' | 'channel' | 'ref' | 'facts'>;
}

/** A message to say once (`key` identifies what was said: an alert group's refusal, an alert's missing labels). */
export interface SayItem {
  kind: 'say';
  key: string;
}

/**
 * - `open`: a new incident; this job opens its thread. Also an alert the incident never saw firing after the
 *   incident resolved: a new failure of the workload gets its own thread and investigation.
 * - `repeat`: joined an incident that fires.
 * - `refired`: one of its own alerts fired again after resolving, within the cooldown (a flap). `update`: one of several alerts resolved.
 * - `resolved`: its last firing alert resolved. `storm`: over AUTOFIX_ALERT_MAX_PER_MINUTE, not investigated.
 * - `quiet`: joined a skipped incident (already listed). `ignored`: resolved before we ever saw it fire.
 * - `say` / `said`: say it now / it was said already.
 */
export type ItemResult =
  'open' | 'repeat' | 'refired' | 'update' | 'resolved' | 'storm' | 'quiet' | 'ignored' | 'say' | 'said';

export type StepResult = { duplicate: true } | { duplicate: false; results: ItemResult[] };

export interface StepOptions {
  /** Identifies the notification (a digest of its body): its retries within `dedupeMs` are duplicates. */
  notification: string;
  /** The alert job that will carry out the decisions (owner of the incidents it opens). */
  jobId: string;
  now: number;
  cooldownMs: number;
  maxPerMinute: number;
  dedupeMs?: number;
}

/** Alertmanager retries within seconds (exponential back-off from 0.5 s); resends come a group_interval later. */
export const NOTIFICATION_DEDUPE_MS = 5000;
/** A firing incident is kept this long without news (Alertmanager's repeat_interval is 4 h by default). */
export const FIRING_TTL_MS = 7 * 24 * 3600 * 1000;
/** An incident whose thread was not posted within this (its job lost) may be opened again. */
export const OPENING_TIMEOUT_MS = 2 * 60 * 1000;
/** A refusal or a "labels missing" note is said once per this. */
export const SAID_TTL_MS = 24 * 3600 * 1000;
/** Fingerprints an incident remembers; past this, any alert firing after it resolved is taken as a flap. */
export const MAX_SEEN = 200;

// KEYS[1] notification, KEYS[2] budget; ARGV: now, cooldownMs, maxPerMinute, dedupeMs, jobId, firingTtl,
// openingTimeout, saidTtl, items (JSON, lean: no facts), maxSeen, then one ARGV per alert item: the incident's
// fixed fields (id, channel, ref, facts) as the inside of a JSON object, never decoded here — a new incident is
// stored as its changing fields encoded plus that text (decoding 1,000 alerts' facts was half the step's time).
// Returns JSON: "dup" or the results in item order.
const STEP = `
local now = tonumber(ARGV[1])
local cooldown = tonumber(ARGV[2])
local maxPerMinute = tonumber(ARGV[3])
local firingTtl = tonumber(ARGV[6])
local openingTimeout = tonumber(ARGV[7])
local maxSeen = tonumber(ARGV[10])
if redis.call('SET', KEYS[1], ARGV[5], 'NX', 'PX', tonumber(ARGV[4])) == false then return '"dup"' end
local items = cjson.decode(ARGV[9])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 60000)
local budget = redis.call('ZCARD', KEYS[2])
local cache, touched, resolvedHere, results = {}, {}, {}, {}
-- Incidents created in this step: their fixed fields as JSON text (ARGV), spliced in when saved.
local fixed = {}
local function load(key)
  if cache[key] == nil then
    local raw = redis.call('GET', key)
    cache[key] = raw and cjson.decode(raw) or false
  end
  return cache[key]
end
local function save(key, inc, ttl)
  local raw = cjson.encode(inc)
  if fixed[key] then raw = string.sub(raw, 1, -2) .. ',' .. fixed[key] .. '}' end
  redis.call('SET', key, raw, 'PX', ttl)
end
local function isnull(v) return v == nil or v == cjson.null end
-- Records a firing fingerprint; an incident stored before 'seen' existed has none and stays a flap-only one.
local function remember(inc, fp)
  if inc.seen == nil or inc.seen[fp] then return end
  local n = 0
  for _ in pairs(inc.seen) do n = n + 1 end
  if n < maxSeen then inc.seen[fp] = true end
end
-- A resolved incident (resolved before this notification) takes a firing alert only if it saw it fire.
local function newFailure(key, inc, fp)
  if isnull(inc.resolvedAt) or resolvedHere[key] or inc.seen == nil or inc.seen[fp] then return false end
  local n = 0
  for _ in pairs(inc.seen) do n = n + 1 end
  return n < maxSeen
end
local function touch(key, inc)
  if not touched[key] then
    touched[key] = true
    inc.notifications = inc.notifications + 1
  end
  inc.lastSeen = now
end
for i, it in ipairs(items) do
  local r
  if it.kind == 'say' then
    r = redis.call('SET', it.key, '1', 'NX', 'PX', tonumber(ARGV[8])) and 'say' or 'said'
  else
    local inc = load(it.incident)
    if inc and inc.state == 'opening' and isnull(inc.threadTs) and now - inc.openedAt > openingTimeout
      and inc.owner ~= ARGV[5] then
      inc = false
    end
    if inc and it.status == 'firing' and newFailure(it.incident, inc, it.fingerprint) then
      inc = false
    end
    if it.status == 'resolved' then
      if not inc then
        r = 'ignored'
      else
        inc.firing[it.fingerprint] = nil
        touch(it.incident, inc)
        local ttl = firingTtl
        if next(inc.firing) == nil then
          ttl = cooldown
          if isnull(inc.resolvedAt) then
            inc.resolvedAt = it.endsAt
            resolvedHere[it.incident] = true
            r = 'resolved'
          else
            r = 'update'
          end
        else
          r = 'update'
        end
        if inc.state == 'skipped' then r = 'quiet' end
        save(it.incident, inc, ttl)
      end
    elseif inc then
      local refired = not isnull(inc.resolvedAt)
      inc.firing[it.fingerprint] = true
      remember(inc, it.fingerprint)
      inc.resolvedAt = cjson.null
      local known = false
      for _, n in ipairs(inc.alertnames) do if n == it.alertname then known = true end end
      if not known and #inc.alertnames < 10 then table.insert(inc.alertnames, it.alertname) end
      touch(it.incident, inc)
      if inc.state == 'skipped' then r = 'quiet' elseif refired then r = 'refired' else r = 'repeat' end
      save(it.incident, inc, inc.state == 'skipped' and cooldown or firingTtl)
    else
      inc = { owner = ARGV[5], openedAt = now, threadTs = cjson.null,
        alertnames = { it.alertname }, firing = {}, notifications = 1,
        firstSeen = now, lastSeen = now, resolvedAt = cjson.null, investigation = cjson.null, seen = {} }
      fixed[it.incident] = ARGV[10 + it.fixed]
      inc.firing[it.fingerprint] = true
      inc.seen[it.fingerprint] = true
      touched[it.incident] = true
      if budget < maxPerMinute then
        budget = budget + 1
        redis.call('ZADD', KEYS[2], now, it.id)
        inc.state = 'opening'
        r = 'open'
        save(it.incident, inc, firingTtl)
      else
        inc.state = 'skipped'
        r = 'storm'
        save(it.incident, inc, cooldown)
      end
      cache[it.incident] = inc
    end
  end
  results[i] = r
end
redis.call('PEXPIRE', KEYS[2], 120000)
if #results == 0 then return '[]' end
return cjson.encode(results)`;

// KEYS[1] notification, KEYS[2] budget; ARGV[1] owner, ARGV[2] JSON {incidents, said}. Undoes what a step
// created when its job could not be enqueued: its notification, its opened incidents, its said-once marks.
const UNDO = `
redis.call('DEL', KEYS[1])
local undo = cjson.decode(ARGV[2])
for _, key in ipairs(undo.incidents) do
  local raw = redis.call('GET', key)
  if raw then
    local inc = cjson.decode(raw)
    if inc.owner == ARGV[1] and inc.state ~= 'open' then
      redis.call('DEL', key)
      redis.call('ZREM', KEYS[2], inc.id)
    end
  end
end
for _, key in ipairs(undo.said) do redis.call('DEL', key) end
return 1`;

// KEYS[1] incident; ARGV[1] owner, ARGV[2] field, ARGV[3] value. Sets threadTs (opening → open) or
// investigation, only for the owner and only once; returns the incident as it is afterwards (or nil).
const OWNED_SET = `
local raw = redis.call('GET', KEYS[1])
if not raw then return nil end
local inc = cjson.decode(raw)
if inc.owner ~= ARGV[1] then return raw end
if ARGV[2] == 'threadTs' then
  if inc.threadTs ~= cjson.null then return raw end
  inc.threadTs = ARGV[3]
  inc.state = 'open'
else
  if inc.investigation ~= cjson.null then return raw end
  inc.investigation = ARGV[3]
end
local out = cjson.encode(inc)
redis.call('SET', KEYS[1], out, 'KEEPTTL')
return out`;

export interface AlertIncidents {
  /** The one atomic step of a webhook: dedupe, group, cooldown, storm bound, said-once marks. */
  step(items: ReadonlyArray<AlertItem | SayItem>, opts: StepOptions): Promise<StepResult>;
  /** Takes back a step whose job could not be enqueued (so Alertmanager's retry is decided afresh). */
  undo(opts: Pick<StepOptions, 'notification' | 'jobId'>, incidents: string[], said: string[]): Promise<void>;
  get(incident: string): Promise<AlertIncident | null>;
  /** Records the parent's ts (the owner's only, once); returns the incident afterwards. */
  setThread(incident: string, owner: string, threadTs: string): Promise<AlertIncident | null>;
  /** Records that the investigation was enqueued (the owner's only, once). */
  setInvestigation(incident: string, owner: string, jobId: string): Promise<AlertIncident | null>;
}

function parse(raw: unknown): AlertIncident | null {
  if (typeof raw !== 'string') return null;
  const r = AlertIncident.safeParse(JSON.parse(raw));
  return r.success ? r.data : null;
}

const RESULTS = z.union([
  z.literal('dup'),
  z.array(
    z.enum(['open', 'repeat', 'refired', 'update', 'resolved', 'storm', 'quiet', 'ignored', 'say', 'said']),
  ),
]);

export function createAlertIncidents(redis: RedisConnection, keys: AlertKeys): AlertIncidents {
  const ownedSet = async (incident: string, owner: string, field: string, value: string) =>
    parse(await redis.eval(OWNED_SET, 1, keys.incident(incident), owner, field, value));
  return {
    async step(items, opts) {
      const fixed: string[] = [];
      const wire = items.map((it) => {
        if (it.kind === 'say') return { kind: 'say', key: keys.said(it.key) };
        const { create, ...lean } = it;
        fixed.push(JSON.stringify(create).slice(1, -1));
        return {
          ...lean,
          incident: keys.incident(it.incident),
          id: create.id,
          alertname: create.facts.alertname,
          fixed: fixed.length,
        };
      });
      const raw = await redis.eval(
        STEP,
        2,
        keys.notification(opts.notification),
        keys.budget(),
        opts.now,
        opts.cooldownMs,
        opts.maxPerMinute,
        opts.dedupeMs ?? NOTIFICATION_DEDUPE_MS,
        opts.jobId,
        FIRING_TTL_MS,
        OPENING_TIMEOUT_MS,
        SAID_TTL_MS,
        JSON.stringify(wire),
        MAX_SEEN,
        ...fixed,
      );
      const decoded = RESULTS.parse(JSON.parse(String(raw)) as unknown);
      if (decoded === 'dup') return { duplicate: true };
      return { duplicate: false, results: decoded };
    },
    async undo(opts, incidents, said) {
      await redis.eval(
        UNDO,
        2,
        keys.notification(opts.notification),
        keys.budget(),
        opts.jobId,
        JSON.stringify({ incidents: incidents.map(keys.incident), said: said.map(keys.said) }),
      );
    },
    async get(incident) {
      return parse(await redis.get(keys.incident(incident)));
    },
    setThread: (incident, owner, threadTs) => ownedSet(incident, owner, 'threadTs', threadTs),
    setInvestigation: (incident, owner, jobId) => ownedSet(incident, owner, 'investigation', jobId),
  };
}
