// The bot under load: signed /autofix commands for distinct targets at a fixed rate, ack latency
// percentiles and non-200s, and the bot's memory (RSS, and heap after a forced GC) as commands pile up.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sendSlashCommand, type SlackStandIn } from '../tools/stand-ins/local-slack/slack-stand-in.js';
import { percentile, round1 } from './percentiles.js';
import type { MemorySample } from './service-process.js';
import type { ServiceChild } from './spawn-service.js';

export interface BurstRow {
  rate: number;
  seconds: number;
  sent: number;
  non200: number;
  failed: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** The bot's CPU (user + system) per command it handled, the work after each ack (its parent message) included. */
  cpuMsPerCommand: number | null;
  /**
   * The bench process itself (the sender and the Slack stand-in): its CPU share of one core and its event-loop
   * delay p99. Near a full core, or a delay near the acks' p99, and the latencies measure the bench, not the bot.
   */
  benchCpuPct: number;
  benchLagP99Ms: number;
  /** The bot's own event-loop delay p99 and longest GC pause over the burst and its aftermath, ms. */
  botLagP99Ms: number | null;
  botGcMaxMs: number | null;
}

export interface BotTarget {
  botUrl: string;
  signingSecret: string;
  slack: SlackStandIn;
  namespace: string;
  /** Registered clusters the commands name in turn (`-c`); none: the only one is chosen. */
  clusters?: readonly string[];
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One command for the n-th distinct target; its response_url goes to the stand-in. */
function command(t: BotTarget, n: number) {
  return sendSlashCommand(t.botUrl, t.signingSecret, {
    text: `deployment/bench-${n} -n ${t.namespace}${t.clusters?.length ? ` -c ${t.clusters[n % t.clusters.length]}` : ''}`,
    response_url: t.slack.responseUrl(`bench-${n}`),
  });
}

/** `rate` commands per second for `seconds`, paced on a schedule (not back-to-back), from target `first`. */
export async function burst(t: BotTarget, rate: number, seconds: number, first: number): Promise<BurstRow> {
  const total = Math.round(rate * seconds);
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const replies: Array<Promise<{ status: number; ms: number } | null>> = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await pause(wait);
    // Timed from when the command was due, not when it went out: a sender that falls behind shows as latency.
    replies.push(
      command(t, first + i).then(
        (r) => ({ status: r.status, ms: performance.now() - due }),
        () => null,
      ),
    );
  }
  const done = await Promise.all(replies);
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - start;
  lag.disable();
  const ok = done.filter((r): r is { status: number; ms: number } => r !== null);
  const ms = ok.map((r) => r.ms).sort((a, b) => a - b);
  const at = (p: number) => {
    const v = percentile(ms, p);
    return v === null ? null : round1(v);
  };
  return {
    rate,
    seconds,
    sent: total,
    non200: ok.filter((r) => r.status !== 200).length,
    failed: done.length - ok.length,
    p50Ms: at(50),
    p99Ms: at(99),
    maxMs: at(100),
    cpuMsPerCommand: null,
    benchCpuPct: Math.round(((cpu.user + cpu.system) / 1000 / wall) * 100),
    benchLagP99Ms: round1(lag.percentile(99) / 1e6),
    botLagP99Ms: null,
    botGcMaxMs: null,
  };
}

export interface MemoryRow extends MemorySample {
  commands: number;
}

/** RSS right after a forced GC, then after `seconds` without work, sampled each second (MiB). */
export interface IdleMemory {
  afterGcMiB: number;
  quietMiB: number;
  quietSeconds: number;
}

// A forced GC empties the young generation but keeps its pages; V8's memory reducer returns them only after some
// seconds without allocation, so "idle" is read after a quiet spell as well as at once.
export async function idleMemory(service: ServiceChild, seconds: number): Promise<IdleMemory> {
  const afterGcMiB = (await service.memory({ gc: true })).rssMiB;
  let quietMiB = afterGcMiB;
  for (let s = 0; s < seconds; s++) {
    await pause(1000);
    quietMiB = (await service.memory()).rssMiB;
  }
  return { afterGcMiB, quietMiB, quietSeconds: seconds };
}

/** Resolves once the bot has posted `count` parent messages (its work after each ack is done), or after 2 min. */
export async function settled(t: BotTarget, count: number): Promise<void> {
  await t.slack
    .waitFor(() => (t.slack.calls('chat.postMessage').length >= count ? true : undefined), 120_000, 'posts')
    .catch(() => undefined);
}

/**
 * Memory after every `step` commands (sent at `rate`), idle first, each sample taken once the bot has
 * finished the work behind the acks; heap after GC rising with commands is a leak.
 */
export async function memoryCurve(
  t: BotTarget,
  service: ServiceChild,
  opts: { total: number; step: number; rate: number; first: number },
): Promise<MemoryRow[]> {
  const posted0 = t.slack.calls('chat.postMessage').length;
  const rows: MemoryRow[] = [{ commands: 0, ...(await service.memory({ gc: true })) }];
  for (let sent = 0; sent < opts.total; sent += opts.step) {
    await burst(t, opts.rate, opts.step / opts.rate, opts.first + sent);
    await settled(t, posted0 + sent + opts.step);
    rows.push({ commands: sent + opts.step, ...(await service.memory({ gc: false })) });
    rows.push({ commands: sent + opts.step, ...(await service.memory({ gc: true })) });
  }
  return rows;
}
