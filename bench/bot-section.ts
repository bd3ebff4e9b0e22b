// Bench section "bot": a bot process against the Slack stand-in and Redis; bursts of signed commands,
// then memory (RSS and heap after a forced GC) as commands pile up, to tell a leak from lazy GC.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deletePrefix } from '../tools/demo/delete-prefix.js';
import { startSlackStandIn, type SlackStandIn } from '../tools/stand-ins/local-slack/slack-stand-in.js';
import {
  burst,
  idleMemory,
  memoryCurve,
  settled,
  type BurstRow,
  type IdleMemory,
  type MemoryRow,
} from './bot-bench.js';
import { spawnService, type ServiceChild } from './spawn-service.js';
import { createLogger } from '../src/observability/logger.js';
import { keySpace } from '../src/queue/key-space.js';
import { announceWorker } from '../src/queue/worker-registry.js';

export interface BotSection {
  /** Before any command (right after start), and once the bursts and the memory curve are over. */
  idle: { start: IdleMemory; afterLoad: IdleMemory } | null;
  bursts: BurstRow[];
  memory: MemoryRow[];
  /** Heap after GC: growth per 1,000 commands between the first and last third of the curve. */
  heapGrowthMiBPer1000: number | null;
}

export interface BotOptions {
  redisUrl: string;
  /** Clusters announced (workers that consume nothing), named in turn by the commands; default 1. */
  clusters?: number;
  rates: Array<{ rate: number; seconds: number }>;
  memoryCommands: number;
  memoryStep: number;
  memoryRate: number;
  /** Seconds without work before the idle RSS is read (0: not measured). */
  quietSeconds?: number;
  /** Writes a V8 CPU profile of the bot during one burst (a `.cpuprofile`, for Chrome DevTools). */
  profilePath?: string;
  /** The burst profiled (default: the fastest). */
  profileRate?: number;
}

const SECRET = 'bench-signing-secret';

/** A bot process on the sandbox's Redis under a fresh key prefix, talking to a new Slack stand-in. */
export async function startBenchBot(
  redisUrl: string,
  namespace: string,
  env: Record<string, string> = {},
): Promise<{ slack: SlackStandIn; prefix: string; bot: ServiceChild }> {
  const slack = await startSlackStandIn();
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const bot = await spawnService('bot', {
    REDIS_URL: redisUrl,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    AUTOFIX_NAMESPACES: namespace,
    AUTOFIX_QUEUE_PREFIX: prefix,
    ...env,
  });
  return { slack, prefix, bot };
}

/** Removes the bench's Redis keys (its queue prefix) once a section is done. */
export async function clearBenchKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    await deletePrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

const round2 = (n: number): number => Number(n.toFixed(2));

function growth(rows: MemoryRow[]): number | null {
  const gc = rows.filter((r) => r.afterGc && r.commands > 0);
  if (gc.length < 2) return null;
  const a = gc[0]!;
  const b = gc[gc.length - 1]!;
  return Number((((b.heapUsedMiB - a.heapUsedMiB) / (b.commands - a.commands)) * 1000).toFixed(2));
}

export async function benchBot(opts: BotOptions): Promise<BotSection> {
  const { slack, prefix, bot } = await startBenchBot(opts.redisUrl, 'bench');
  const count = opts.clusters ?? 1;
  const names = count === 1 ? ['default'] : Array.from({ length: count }, (_, i) => `cluster-${i + 1}`);
  const target = {
    botUrl: `http://127.0.0.1:${bot.port}/slack/events`,
    signingSecret: SECRET,
    slack,
    namespace: 'bench',
    clusters: count === 1 ? [] : names,
  };
  // The bot refuses a cluster no worker serves: each is announced (its jobs simply wait in its queue).
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1 });
  const announced = await Promise.all(
    names.map((cluster) =>
      announceWorker(
        redis,
        keySpace(prefix),
        {
          cluster,
          version: 'bench',
          namespaces: ['bench'],
          engine: 'none',
          concurrency: 1,
          heartbeatMs: 5000,
        },
        createLogger('silent'),
      ),
    ),
  );
  try {
    const quiet = opts.quietSeconds ?? 0;
    const start = quiet > 0 ? await idleMemory(bot, quiet) : null;
    // Warm-up: JIT, connections, Bolt's first-request paths.
    await burst(target, 20, 1, 1_000_000);
    await settled(target, 20);
    const bursts: BurstRow[] = [];
    const profiled = opts.profileRate ?? Math.max(...opts.rates.map((r) => r.rate));
    if (opts.profilePath && !opts.rates.some((r) => r.rate === profiled))
      throw new Error(
        `--profile-rate ${profiled} is not one of the bursts (${opts.rates.map((r) => r.rate).join(', ')}/s).`,
      );
    let next = 0;
    for (const r of opts.rates) {
      const posted = slack.calls('chat.postMessage').length;
      const before = await bot.stats();
      const run = () => burst(target, r.rate, r.seconds, next);
      const row =
        opts.profilePath && r.rate === profiled ? await bot.profile(opts.profilePath, run) : await run();
      await settled(target, posted + row.sent - row.failed - row.non200);
      const after = await bot.stats();
      // Per command the bot handled (its parent posted): one lost on the client's side cost it little or nothing.
      const handled = slack.calls('chat.postMessage').length - posted;
      bursts.push({
        ...row,
        cpuMsPerCommand: handled > 0 ? round2((after.cpuMs - before.cpuMs) / handled) : null,
        botLagP99Ms: after.lagP99Ms,
        botGcMaxMs: after.gcMaxMs,
      });
      next += r.rate * r.seconds;
    }
    const memory = await memoryCurve(target, bot, {
      total: opts.memoryCommands,
      step: opts.memoryStep,
      rate: opts.memoryRate,
      first: next,
    });
    const idle = start ? { start, afterLoad: await idleMemory(bot, quiet) } : null;
    return { idle, bursts, memory, heapGrowthMiBPer1000: growth(memory) };
  } finally {
    for (const a of announced) await a.stop();
    redis.disconnect();
    await bot.stop();
    await slack.close();
    await clearBenchKeys(opts.redisUrl, prefix);
  }
}
