// Bench section "alerts": a bot process with the Alertmanager receiver against the Slack stand-in and Redis;
// ack latency of 1,000-alert webhooks (new workloads, then the same alerts re-sent), and alerts/s sustained.
import { Agent, request } from 'undici';
import { amAlert, amPayload, RULE_LABELS } from '../test/fixtures/alertmanager.js';
import { clearBenchKeys, startBenchBot } from './bot-section.js';
import { percentile, round1 } from './percentiles.js';

export interface WebhookRow {
  /** What the webhooks carried: new workloads, or the same alerts again (repeats joining their incidents). */
  kind: 'new' | 'repeat';
  webhooks: number;
  alertsEach: number;
  non200: number;
  /** No answer: the connection failed. */
  failed: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

export interface SustainedRow {
  /** Webhooks in flight at once. */
  concurrency: number;
  alertsEach: number;
  seconds: number;
  webhooks: number;
  /** Answered other than 200, or not at all. */
  notAccepted: number;
  alertsPerSecond: number;
}

export interface AlertsSection {
  webhooks: WebhookRow[];
  sustained: SustainedRow[];
}

export interface AlertsOptions {
  redisUrl: string;
  /** 1,000-alert webhooks per latency row. */
  webhooks: number;
  /** Sustained rows: concurrency, for `seconds` each, webhooks of `alertsEach` alerts. */
  sustained: Array<{ concurrency: number; seconds: number; alertsEach: number }>;
  /** Writes a V8 CPU profile of the bot during the new 1,000-alert webhooks (a `.cpuprofile`). */
  profilePath?: string;
}

const TOKEN = 'bench-alerts-token';
const NAMESPACE = 'bench';

/** A webhook of `n` KubePodCrashLooping alerts for distinct pods `from`…; `round` makes a re-send differ. */
function webhook(from: number, n: number, round: number): string {
  const alerts = Array.from({ length: n }, (_, i) =>
    amAlert(RULE_LABELS.KubePodCrashLooping(NAMESPACE, `web-${from + i}-7c9d8-x${from + i}`), {
      startsAt: new Date(Date.UTC(2026, 11, 7, 3, 0, round)).toISOString(),
    }),
  );
  return JSON.stringify(amPayload(alerts, { groupKey: `{}:{namespace="${NAMESPACE}",batch="${from}"}` }));
}

// undici's request, not fetch: the sender's own CPU stays out of the latencies (as for the bot's commands).
const agent = new Agent({ keepAliveTimeout: 10_000 });

/** One webhook; a connection error counts as status 0 (a failure), never ends the bench. */
async function post(url: string, body: string): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body,
      dispatcher: agent,
    });
    await res.body.arrayBuffer();
    return { status: res.statusCode, ms: performance.now() - t0 };
  } catch {
    return { status: 0, ms: performance.now() - t0 };
  }
}

function latencyRow(
  kind: WebhookRow['kind'],
  alertsEach: number,
  replies: Array<{ status: number; ms: number }>,
) {
  const ms = replies
    .filter((r) => r.status !== 0)
    .map((r) => r.ms)
    .sort((a, b) => a - b);
  const at = (p: number) => {
    const v = percentile(ms, p);
    return v === null ? null : round1(v);
  };
  return {
    kind,
    webhooks: replies.length,
    alertsEach,
    non200: replies.filter((r) => r.status !== 200 && r.status !== 0).length,
    failed: replies.filter((r) => r.status === 0).length,
    p50Ms: at(50),
    p99Ms: at(99),
    maxMs: at(100),
  };
}

/** One at a time, as Alertmanager sends one group's notifications; bodies are built before the clock starts. */
async function sequential(url: string, bodies: string[]): Promise<Array<{ status: number; ms: number }>> {
  const replies: Array<{ status: number; ms: number }> = [];
  for (const body of bodies) replies.push(await post(url, body));
  return replies;
}

/** `concurrency` senders posting back-to-back for `seconds` (bounded in time and count), new workloads each. */
async function sustained(
  url: string,
  row: { concurrency: number; seconds: number; alertsEach: number },
  first: number,
): Promise<SustainedRow> {
  const maxWebhooks = 2000;
  let next = first;
  let sent = 0;
  let notAccepted = 0;
  let accepted = 0;
  const start = performance.now();
  const end = start + row.seconds * 1000;
  const sender = async (): Promise<void> => {
    while (performance.now() < end && sent < maxWebhooks) {
      const body = webhook(next, row.alertsEach, 0);
      next += row.alertsEach;
      sent += 1;
      const r = await post(url, body);
      if (r.status === 200) accepted += row.alertsEach;
      else notAccepted += 1;
    }
  };
  await Promise.all(Array.from({ length: row.concurrency }, sender));
  const seconds = (performance.now() - start) / 1000;
  return {
    concurrency: row.concurrency,
    alertsEach: row.alertsEach,
    seconds: round1(seconds),
    webhooks: sent,
    notAccepted,
    alertsPerSecond: Math.round(accepted / seconds),
  };
}

export async function benchAlerts(opts: AlertsOptions): Promise<AlertsSection> {
  const { slack, prefix, bot } = await startBenchBot(opts.redisUrl, NAMESPACE, {
    AUTOFIX_ALERTS_TOKEN: TOKEN,
    AUTOFIX_ALERT_ROUTES: '*=C0BENCH',
  });
  const url = `http://127.0.0.1:${bot.port}/alerts/alertmanager`;
  try {
    // Bodies first: building them after the warm-up would idle its keep-alive connection past the server's timeout.
    const fresh = Array.from({ length: opts.webhooks }, (_, k) => webhook(k * 1000, 1000, 0));
    const again = Array.from({ length: opts.webhooks }, (_, k) => webhook(k * 1000, 1000, 1));
    // Warm-up: JIT, the Redis script, the queue's first paths.
    await sequential(url, [webhook(10_000_000, 50, 0), webhook(10_000_100, 50, 0)]);
    const first1000 = () => sequential(url, fresh);
    const webhooks = [
      latencyRow(
        'new',
        1000,
        await (opts.profilePath ? bot.profile(opts.profilePath, first1000) : first1000()),
      ),
      latencyRow('repeat', 1000, await sequential(url, again)),
    ];
    const rows: SustainedRow[] = [];
    let first = 1_000_000;
    for (const row of opts.sustained) {
      rows.push(await sustained(url, row, first));
      first += 1_000_000;
    }
    return { webhooks, sustained: rows };
  } finally {
    await bot.stop();
    await slack.close();
    await clearBenchKeys(opts.redisUrl, prefix);
  }
}
