// `npm run bench`: measures the service on the sandbox (bot ack latency under bursts, the alert receiver's ack
// latency and alerts/s, worker throughput, prompt size and API calls per eval case, memory of bot and worker),
// the pure pipeline and replay speed, as a table
// or `--json`. Measurements only: nothing here passes or fails.
import os from 'node:os';
import { sandboxEnv } from '../test/integration/sandbox-env.js';
import { benchAlerts } from './alerts-section.js';
import { benchBot } from './bot-section.js';
import { benchFunctions } from './functions-bench.js';
import { benchPrompts } from './prompt-section.js';
import { benchReplay } from './replay-bench.js';
import { renderBench, type BenchReport } from './render-bench.js';
import { serviceCode } from './spawn-service.js';
import { benchTracking } from './tracking-section.js';
import { benchWorker } from './worker-section.js';

const SECTIONS = ['tracking', 'bot', 'alerts', 'worker', 'prompt', 'functions'] as const;
type Section = (typeof SECTIONS)[number];

/** One case per category by default (`--all-cases` for every case). */
const PROMPT_CASES = [
  'healthy',
  'image-pull-after-release',
  'crashloop-exit-after-release',
  'oom-killed',
  'readiness-wrong-port',
  'unschedulable',
  'missing-configmap',
  'quota-exceeded',
];

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function machine(): BenchReport['machine'] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(1))),
  };
}

async function main(): Promise<void> {
  const only = (arg('only')?.split(',') ?? [...SECTIONS]) as Section[];
  const json = process.argv.includes('--json');
  const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
  const report: BenchReport = { machine: machine() };
  const needsSandbox = only.some((s) => s !== 'functions');
  const env = needsSandbox ? sandboxEnv() : null;
  const services = arg('services');
  if (services) process.env.BENCH_SERVICES = services;
  if (only.some((s) => s !== 'functions' && s !== 'prompt')) {
    report.services = serviceCode();
    log(`services run from ${report.services.from} (${report.services.why})`);
  }
  if (only.includes('tracking') && env) {
    log('tracking: 12 OOM-looping deployments requested at once from one start process, MLflow off then on');
    report.tracking = await benchTracking({
      kubeconfig: env.KUBECONFIG,
      redisUrl: env.REDIS_URL,
      mlflowUri: env.MLFLOW_TRACKING_URI,
      workloads: Number(arg('workloads') ?? 12),
      concurrency: 2,
      rounds: Number(arg('rounds') ?? 1),
    });
  }
  if (only.includes('bot') && env) {
    log('bot: bursts of signed /autofix commands (CPU per command), then memory over 6,000 commands');
    report.bot = await benchBot({
      redisUrl: env.REDIS_URL,
      rates: [
        { rate: 100, seconds: 10 },
        { rate: 250, seconds: 10 },
        { rate: 500, seconds: 10 },
        { rate: 750, seconds: 10 },
        { rate: 1000, seconds: 10 },
      ],
      memoryCommands: Number(arg('commands') ?? 6000),
      memoryStep: 1500,
      memoryRate: 100,
      quietSeconds: Number(arg('quiet') ?? 15),
      ...(arg('profile')
        ? { profilePath: arg('profile'), profileRate: Number(arg('profile-rate') ?? 500) }
        : {}),
    });
    log('bot: the same bursts with 5 clusters registered, the commands naming them in turn (-c)');
    report.botClusters = await benchBot({
      redisUrl: env.REDIS_URL,
      clusters: 5,
      rates: [
        { rate: 100, seconds: 10 },
        { rate: 250, seconds: 10 },
      ],
      memoryCommands: 0,
      memoryStep: 1500,
      memoryRate: 100,
    });
  }
  if (only.includes('alerts') && env) {
    log(
      'alerts: 1,000-alert Alertmanager webhooks one at a time (new, then re-sent), then alerts/s sustained',
    );
    report.alerts = await benchAlerts({
      redisUrl: env.REDIS_URL,
      webhooks: Number(arg('webhooks') ?? 20),
      sustained: [
        { concurrency: 1, seconds: 10, alertsEach: 100 },
        { concurrency: 4, seconds: 10, alertsEach: 100 },
      ],
      ...(arg('profile-alerts') ? { profilePath: arg('profile-alerts') } : {}),
    });
  }
  if (only.includes('worker') && env) {
    log(
      'worker: proposals per minute for 8 OOM-looping deployments: 1 process at concurrency 1, 2, 4; 2 and 4 processes at 1',
    );
    report.worker = await benchWorker({
      kubeconfig: env.KUBECONFIG,
      redisUrl: env.REDIS_URL,
      deployments: Number(arg('deployments') ?? 8),
      // Processes on one cluster's queue, against concurrency inside one process: is it linear up to the cores?
      levels: [
        { workers: 1, concurrency: 1 },
        { workers: 1, concurrency: 2 },
        { workers: 1, concurrency: 4 },
        { workers: 2, concurrency: 1 },
        { workers: 4, concurrency: 1 },
      ],
    });
  }
  if (only.includes('prompt') && env) {
    const all = process.argv.includes('--all-cases');
    log(`prompt: ${all ? 'every eval case' : 'one eval case per category'}, diagnosed on the sandbox`);
    report.prompt = await benchPrompts({
      kubeconfig: env.KUBECONFIG,
      only: all ? [] : PROMPT_CASES,
      parallel: 2,
    });
  }
  if (only.includes('functions')) {
    log('functions: the pure pipeline in-process');
    report.functions = benchFunctions();
    log('functions: eval --replay with the rule engine (recorded cases scored per second)');
    report.replay = await benchReplay();
  }
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : renderBench(report));
}

await main();
