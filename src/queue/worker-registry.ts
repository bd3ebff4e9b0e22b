// Worker registrations in Redis: each worker announces its cluster, version, allowlist, engine and concurrency,
// and renews a heartbeat; the bot reads them to route commands and to refuse those no live worker can take.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ClusterName } from '../domain/index.js';
import type { Logger } from '../observability/logger.js';
import type { KeySpace } from './key-space.js';
import type { RedisConnection } from './redis-connection.js';
import { within } from './within.js';

export const WorkerRegistration = z.object({
  workerId: z.string().min(1),
  cluster: ClusterName,
  version: z.string(),
  /** The worker's AUTOFIX_NAMESPACES: the bot refuses other namespaces early (the worker re-checks anyway). */
  namespaces: z.array(z.string()),
  /** `rules`, or `llm:<model>` (with the rule engine as fallback). */
  engine: z.string(),
  concurrency: z.number().int().min(1),
  /** How often it renews; it counts as gone after MISSED_BEATS missed renewals. */
  heartbeatMs: z.number().int().positive(),
  startedAt: z.number().int(),
  /** `stopped` once it shut down cleanly: gone at once, last seen kept. */
  state: z.enum(['running', 'stopped']),
});
export type WorkerRegistration = z.infer<typeof WorkerRegistration>;

/** A registration as read, with its last heartbeat in Redis's own clock (no skew between hosts). */
export interface SeenWorker {
  registration: WorkerRegistration;
  heartbeatAt: number;
  live: boolean;
}

export interface Registrations {
  /** Redis's time when read: ages are `now - heartbeatAt`. */
  now: number;
  workers: SeenWorker[];
}

export const MISSED_BEATS = 3;
/** A worker not seen for this long is forgotten (its "last seen" stops being worth saying). */
export const FORGET_AFTER_MS = 7 * 24 * 3600 * 1000;

// KEYS[1] registrations hash; ARGV[1] field, ARGV[2] registration JSON, ARGV[3] forget-after ms.
// The value is "<heartbeat ms> <json>", the time taken from the server that holds the key.
const HEARTBEAT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', now) .. ' ' .. ARGV[2])
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local at = tonumber(string.match(all[i + 1], '^(%d+) '))
  if at == nil or now - at > tonumber(ARGV[3]) then redis.call('HDEL', KEYS[1], all[i]) end
end
return now`;

// KEYS[1] registrations hash. Reply: {now, field1, value1, …}.
const READ = `
local t = redis.call('TIME')
local r = {string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))}
for _, v in ipairs(redis.call('HGETALL', KEYS[1])) do table.insert(r, v) end
return r`;

export function isLive(reg: WorkerRegistration, heartbeatAt: number, now: number): boolean {
  return reg.state === 'running' && now - heartbeatAt <= reg.heartbeatMs * MISSED_BEATS;
}

function parseEntry(value: string, now: number): SeenWorker | null {
  const space = value.indexOf(' ');
  const heartbeatAt = Number(value.slice(0, space));
  if (space < 0 || !Number.isFinite(heartbeatAt)) return null;
  let json: unknown;
  try {
    json = JSON.parse(value.slice(space + 1));
  } catch {
    return null;
  }
  const reg = WorkerRegistration.safeParse(json);
  // A registration this version cannot read (a newer worker's) is skipped, not fatal.
  if (!reg.success) return null;
  return { registration: reg.data, heartbeatAt, live: isLive(reg.data, heartbeatAt, now) };
}

export async function readRegistrations(
  redis: RedisConnection,
  keys: Pick<KeySpace, 'workers'>,
): Promise<Registrations> {
  const reply = ((await redis.eval(READ, 1, keys.workers)) as unknown[]).map(String);
  const now = Number(reply[0]);
  const workers: SeenWorker[] = [];
  for (let i = 1; i + 1 < reply.length; i += 2) {
    const seen = parseEntry(reply[i + 1]!, now);
    if (seen) workers.push(seen);
  }
  return { now, workers };
}

export type RegistrationInput = Omit<WorkerRegistration, 'workerId' | 'startedAt' | 'state'>;

export interface Announcement {
  readonly workerId: string;
  /** Renews now (the loop renews on its own every heartbeatMs). */
  beat(): Promise<void>;
  /** Stops renewing and records `stopped`, so the bot stops routing here at once. */
  stop(): Promise<void>;
}

/** A unique id per process: the pod name (hostname) plus the pid and a random suffix. */
export function newWorkerId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Writes the registration now, then renews it every `heartbeatMs` until stopped. A failed renewal is logged, never thrown. */
export async function announceWorker(
  redis: RedisConnection,
  keys: Pick<KeySpace, 'workers'>,
  input: RegistrationInput,
  logger: Logger,
  workerId = newWorkerId(),
): Promise<Announcement> {
  const registration: WorkerRegistration = WorkerRegistration.parse({
    ...input,
    workerId,
    startedAt: Date.now(),
    state: 'running',
  });
  const field = `${registration.cluster}/${workerId}`;
  const write = async (reg: WorkerRegistration): Promise<void> => {
    await redis.eval(HEARTBEAT, 1, keys.workers, field, JSON.stringify(reg), FORGET_AFTER_MS);
  };
  let failing = false;
  let inFlight: Promise<void> | null = null;
  const renew = async (): Promise<void> => {
    try {
      await within(Math.max(1000, registration.heartbeatMs), write(registration));
      if (failing) logger.info({ workerId }, 'worker registration renewed again');
      failing = false;
    } catch (e) {
      if (!failing)
        logger.warn(
          { workerId, err: e instanceof Error ? e.message : String(e) },
          'could not renew the worker registration',
        );
      failing = true;
    }
  };
  // One renewal at a time: while Redis is away they would pile up on the waiting connection.
  const beat = (): Promise<void> => (inFlight ??= renew().finally(() => (inFlight = null)));
  await write(registration);
  const timer = setInterval(() => void beat(), registration.heartbeatMs);
  timer.unref();
  return {
    workerId,
    beat,
    async stop() {
      clearInterval(timer);
      // A renewal landing after `stopped` would bring the worker back to life in the bot's eyes.
      await inFlight;
      await within(5000, write({ ...registration, state: 'stopped' })).catch((e: unknown) =>
        logger.warn(
          { workerId, err: e instanceof Error ? e.message : String(e) },
          'could not record the worker as stopped',
        ),
      );
    },
  };
}
