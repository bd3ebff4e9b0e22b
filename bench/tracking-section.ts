// Bench section "tracking": one `start` process (bot + worker, concurrency 2, rule engine) and a batch of
// OOM-looping Deployments requested at once through signed /autofix commands, with MLflow tracking off and
// on in the same run: request → proposal as the requester sees it, proposals per minute, the MLflow
// requests and the CPU each investigation cost, and the process's memory under that load.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  sendSlashCommand,
  startSlackStandIn,
  type SlackStandIn,
} from '../tools/stand-ins/local-slack/slack-stand-in.js';
import { percentile, round1 } from './percentiles.js';
import type { ServiceStats } from './service-process.js';
import { spawnService, type ServiceChild } from './spawn-service.js';
import { withOomDeployments } from './worker-section.js';

export interface TrackingRow {
  tracking: 'off' | 'on';
  investigations: number;
  proposals: number;
  /** First request sent → last proposal posted. */
  seconds: number;
  proposalsPerMinute: number;
  medianToProposalMs: number | null;
  p90ToProposalMs: number | null;
  maxToProposalMs: number | null;
  /** Every MLflow request of the batch (the bookkeeping after the proposals included), per investigation. */
  mlflowCallsPerInvestigation: number;
  /**
   * Those sent before the batch's last proposal was posted, per investigation: what shares the critical
   * path with the proposals (the runs' creation, the history reads, and any bookkeeping that did not wait).
   */
  mlflowCallsBeforeLastProposal: number;
  /** Requests by endpoint, per investigation, with their median time to answer (ms). */
  mlflowCallsByEndpoint: Record<string, { perInvestigation: number; p50Ms: number | null }>;
  /** Bookkeeping done: first request → every run of the batch ended (tracking on). */
  secondsToRunsEnded: number | null;
  cpuMsPerInvestigation: number;
  /** The process's CPU from the first request to the last proposal, per investigation (less bookkeeping waited). */
  cpuMsToLastProposal: number;
  rssIdleMiB: number;
  rssPeakMiB: number;
}

export interface TrackingSection {
  rows: TrackingRow[];
  /** Tracking on ÷ off: proposals per minute (goal ≥ 0.8) and median request → proposal (goal ≤ 1.5). */
  proposalsPerMinuteRatio: number | null;
  medianRatio: number | null;
}

export interface TrackingOptions {
  kubeconfig: string;
  redisUrl: string;
  mlflowUri: string;
  workloads: number;
  concurrency: number;
  /** Passes of (off, on); each row is one pass. */
  rounds: number;
}

const SECRET = 'bench-signing-secret';
const CHANNEL = 'C0BENCH';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Times each workload's proposal as the stand-in receives it (its own clock: the same as the sender's). */
function watchProposals(slack: SlackStandIn, names: string[]): { at: Map<string, number>; stop: () => void } {
  const at = new Map<string, number>();
  let seen = 0;
  const stop = slack.onChange(() => {
    const posts = slack.calls('chat.postMessage');
    for (; seen < posts.length; seen++) {
      const text = JSON.stringify(posts[seen]!.args);
      if (!text.includes('autofix_approve')) continue;
      const name = names.find((n) => text.includes(`deployment/${n}`));
      if (name && !at.has(name)) at.set(name, performance.now());
    }
  });
  return { at, stop };
}

/** Parent runs of the experiment that have ended (not RUNNING), counted with runs/search. */
async function endedRuns(mlflowUri: string, experiment: string): Promise<number> {
  const base = mlflowUri.replace(/\/+$/, '');
  const got = await fetch(
    `${base}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(experiment)}`,
  );
  if (!got.ok) return 0;
  const id = ((await got.json()) as { experiment: { experiment_id: string } }).experiment.experiment_id;
  const res = await fetch(`${base}/api/2.0/mlflow/runs/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      experiment_ids: [id],
      filter: `attributes.status != 'RUNNING' and tags.\`autofix.target\` LIKE 'deployment/%'`,
      max_results: 1000,
    }),
  });
  return (((await res.json()) as { runs?: unknown[] }).runs ?? []).length;
}

async function deletePrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
}

function perInvestigation(before: ServiceStats, after: ServiceStats, n: number) {
  const byEndpoint: TrackingRow['mlflowCallsByEndpoint'] = {};
  let total = 0;
  for (const [key, count] of Object.entries(after.mlflowCalls)) {
    const d = count - (before.mlflowCalls[key] ?? 0);
    if (d === 0) continue;
    const ms = (after.mlflowLatencyMs[key] ?? [])
      .slice(before.mlflowLatencyMs[key]?.length ?? 0)
      .sort((a, b) => a - b);
    const p50 = percentile(ms, 50);
    byEndpoint[key] = { perInvestigation: round1(d / n), p50Ms: p50 === null ? null : Math.round(p50) };
    total += d;
  }
  return {
    calls: round1(total / n),
    byEndpoint,
    cpuMs: round1((after.cpuMs - before.cpuMs) / n),
  };
}

async function request(slack: SlackStandIn, botUrl: string, ns: string, name: string): Promise<number> {
  const t = performance.now();
  const reply = await sendSlashCommand(botUrl, SECRET, {
    text: `deployment/${name} -n ${ns}`,
    channel_id: CHANNEL,
    response_url: slack.responseUrl(`bench-${name}`),
  });
  if (reply.status !== 200) throw new Error(`the bot answered ${reply.status} to /autofix ${name}`);
  return t;
}

async function onePass(
  o: TrackingOptions,
  ns: string,
  names: string[],
  tracking: 'off' | 'on',
): Promise<TrackingRow> {
  const slack = await startSlackStandIn();
  const prefix = `benchr${randomBytes(4).toString('hex')}`;
  const experiment = `kube-autofix-bench-${randomBytes(4).toString('hex')}`;
  const service: ServiceChild = await spawnService('start', {
    KUBECONFIG: o.kubeconfig,
    REDIS_URL: o.redisUrl,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    AUTOFIX_NAMESPACES: ns,
    AUTOFIX_QUEUE_PREFIX: prefix,
    AUTOFIX_WORKER_CONCURRENCY: String(o.concurrency),
    ...(tracking === 'on' ? { MLFLOW_TRACKING_URI: o.mlflowUri, MLFLOW_EXPERIMENT_NAME: experiment } : {}),
  });
  const botUrl = `http://127.0.0.1:${service.port}/slack/events`;
  const [warm, ...batch] = names;
  const watch = watchProposals(slack, names);
  try {
    // Warm-up: one investigation first (JIT, connections, the experiment), not counted.
    await request(slack, botUrl, ns, warm!);
    await slack.waitFor(() => watch.at.get(warm!), 120_000, 'the warm-up proposal');
    if (tracking === 'on') while ((await endedRuns(o.mlflowUri, experiment)) < 1) await pause(100);
    const rssIdleMiB = (await service.memory({ gc: true })).rssMiB;
    const before = await service.stats();
    const t0 = performance.now();
    const sent = await Promise.all(batch.map((name) => request(slack, botUrl, ns, name)));
    let rssPeakMiB = 0;
    const proposed = slack.waitFor(
      () => (batch.every((n) => watch.at.has(n)) ? true : undefined),
      300_000,
      'every proposal',
    );
    for (let done = false; !done;) {
      done = await Promise.race([proposed.then(() => true), pause(250).then(() => false)]);
      rssPeakMiB = Math.max(rssPeakMiB, (await service.memory()).rssMiB);
    }
    const atLast = await service.stats();
    const last = Math.max(...batch.map((n) => watch.at.get(n)!));
    let secondsToRunsEnded: number | null = null;
    if (tracking === 'on') {
      while ((await endedRuns(o.mlflowUri, experiment)) < names.length) {
        rssPeakMiB = Math.max(rssPeakMiB, (await service.memory()).rssMiB);
        await pause(100);
      }
      secondsToRunsEnded = round1((performance.now() - t0) / 1000);
    }
    // The trace export may follow the run's end: wait until no MLflow request went out for a second.
    let after = await service.stats();
    for (let quiet = 0; quiet < 4;) {
      await pause(250);
      const now = await service.stats();
      const same = JSON.stringify(now.mlflowCalls) === JSON.stringify(after.mlflowCalls);
      quiet = same ? quiet + 1 : 0;
      after = now;
    }
    const per = perInvestigation(before, after, batch.length);
    const critical = perInvestigation(before, atLast, batch.length);
    const toProposal = batch.map((n, i) => watch.at.get(n)! - sent[i]!).sort((a, b) => a - b);
    const at = (p: number) => {
      const v = percentile(toProposal, p);
      return v === null ? null : Math.round(v);
    };
    const seconds = (last - t0) / 1000;
    return {
      tracking,
      investigations: batch.length,
      proposals: batch.filter((n) => watch.at.has(n)).length,
      seconds: round1(seconds),
      proposalsPerMinute: round1((batch.length / seconds) * 60),
      medianToProposalMs: at(50),
      p90ToProposalMs: at(90),
      maxToProposalMs: at(100),
      mlflowCallsPerInvestigation: per.calls,
      mlflowCallsBeforeLastProposal: critical.calls,
      mlflowCallsByEndpoint: per.byEndpoint,
      secondsToRunsEnded,
      cpuMsPerInvestigation: per.cpuMs,
      cpuMsToLastProposal: critical.cpuMs,
      rssIdleMiB,
      rssPeakMiB,
    };
  } finally {
    watch.stop();
    await service.stop();
    await slack.close();
    await deletePrefix(o.redisUrl, prefix);
  }
}

const median = (xs: number[]): number | null => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? null
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function benchTracking(o: TrackingOptions): Promise<TrackingSection> {
  // One warm-up workload plus the batch; the same Deployments for every pass.
  const names = ['warm', ...Array.from({ length: o.workloads }, (_, i) => `w${String(i).padStart(2, '0')}`)];
  const rows = await withOomDeployments(o.kubeconfig, names, async (ns) => {
    const out: TrackingRow[] = [];
    for (let r = 0; r < o.rounds; r++) {
      out.push(await onePass(o, ns, names, 'off'));
      out.push(await onePass(o, ns, names, 'on'));
    }
    return out;
  });
  const of = (t: 'off' | 'on', f: (r: TrackingRow) => number | null) =>
    median(
      rows
        .filter((r) => r.tracking === t)
        .map(f)
        .filter((v): v is number => v !== null),
    );
  const ratio = (a: number | null, b: number | null) =>
    a === null || b === null || b === 0 ? null : Number((a / b).toFixed(2));
  return {
    rows,
    proposalsPerMinuteRatio: ratio(
      of('on', (r) => r.proposalsPerMinute),
      of('off', (r) => r.proposalsPerMinute),
    ),
    medianRatio: ratio(
      of('on', (r) => r.medianToProposalMs),
      of('off', (r) => r.medianToProposalMs),
    ),
  };
}
