// A bot, worker or both (`start`) in their own process for the bench, reporting over IPC: "memory" answers
// RSS and heap as they are, "gc" forces a full collection first (run with --expose-gc), "stats" the process's
// CPU time, event-loop delay and longest GC pause, and the MLflow requests it sent (counted on undici's
// diagnostics channel); "profile-start" and
// "profile-stop" take a V8 CPU profile of a window (the inspector in-process, so start-up is not in it).
// The service's modules come from BENCH_SERVICE_CODE: the built dist/ (this file transpiled, plain node) or
// src/ (under tsx); the worker's only when it runs, so a bot process holds what `kube-autofix bot` holds.
import { subscribe } from 'node:diagnostics_channel';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import type * as ConfigModule from '../src/config/config.js';
import type * as LoggerModule from '../src/observability/logger.js';
import type * as MetricsModule from '../src/observability/metrics.js';
import type * as RunBotModule from '../src/cli/run-bot.js';
import type * as RunWorkerModule from '../src/cli/run-worker.js';

export interface MemorySample {
  rssMiB: number;
  heapUsedMiB: number;
  /** Whether a full GC ran just before (heap after GC tells a leak from lazy collection). */
  afterGc: boolean;
}

export interface ServiceStats {
  /** User + system CPU since the process started, ms. */
  cpuMs: number;
  /** MLflow requests sent so far, by `METHOD /path` (artifact paths and ids folded). */
  mlflowCalls: Record<string, number>;
  /** Time to the answer's headers of each MLflow request so far, ms, by endpoint. */
  mlflowLatencyMs: Record<string, number[]>;
  /** Since the previous stats: the event loop's delay p99 and the longest GC pause, ms (what an ack waits behind). */
  lagP99Ms: number;
  gcMaxMs: number;
}

export type Role = 'bot' | 'worker' | 'start';
export type ToService =
  | { type: 'memory' }
  | { type: 'gc' }
  | { type: 'stats' }
  | { type: 'stop' }
  | { type: 'profile-start' }
  | { type: 'profile-stop'; path: string };
export type FromService =
  | { type: 'ready'; port: number }
  | ({ type: 'memory' } & MemorySample)
  | ({ type: 'stats' } & ServiceStats)
  | { type: 'profiled' };

const mib = (b: number): number => Number((b / 2 ** 20).toFixed(1));

function sample(afterGc: boolean): MemorySample {
  const m = process.memoryUsage();
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), afterGc };
}

/** `PUT /api/2.0/mlflow-artifacts/artifacts/1/<run>/artifacts/x.json` → `PUT /api/2.0/mlflow-artifacts/artifacts/…` */
function endpoint(method: string, path: string): string {
  const bare = path.split('?')[0] ?? path;
  const folded = bare.startsWith('/api/2.0/mlflow-artifacts/artifacts/')
    ? '/api/2.0/mlflow-artifacts/artifacts/…'
    : bare.replace(/\/tr-[0-9a-f]+(\/|$)/, '/tr-…$1');
  return `${method} ${folded}`;
}

/** Counts (and times) requests to the MLflow server as undici creates them (the tracker's only transport). */
function countMlflowCalls(
  trackingUri: string | undefined,
): Pick<ServiceStats, 'mlflowCalls' | 'mlflowLatencyMs'> {
  const out = { mlflowCalls: {} as Record<string, number>, mlflowLatencyMs: {} as Record<string, number[]> };
  if (!trackingUri) return out;
  const origin = new URL(trackingUri).origin;
  const started = new WeakMap<object, { key: string; at: number }>();
  subscribe('undici:request:create', (message) => {
    const { request } = message as { request: { origin: string; method: string; path: string } };
    if (String(request.origin) !== origin) return;
    const key = endpoint(request.method, request.path);
    out.mlflowCalls[key] = (out.mlflowCalls[key] ?? 0) + 1;
    started.set(request, { key, at: performance.now() });
  });
  subscribe('undici:request:headers', (message) => {
    const { request } = message as { request: object };
    const s = started.get(request);
    if (!s) return;
    (out.mlflowLatencyMs[s.key] ??= []).push(performance.now() - s.at);
  });
  return out;
}

async function profileStep(profiler: Session, m: ToService): Promise<void> {
  if (m.type === 'profile-start') {
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
    return;
  }
  if (m.type !== 'profile-stop') return;
  const { profile } = await profiler.post('Profiler.stop');
  profiler.disconnect();
  await writeFile(m.path, JSON.stringify(profile));
}

const code = process.env.BENCH_SERVICE_CODE ?? new URL('../src/', import.meta.url).href;
/** A module of the service, by its path under src/ (`cli/run-bot.js`), from dist/ or src/. */
const load = <M>(path: string): Promise<M> => import(new URL(path, code).href) as Promise<M>;

async function main(): Promise<void> {
  const role = process.argv[2] as Role;
  const [{ loadConfig }, { createLogger }, { createMetrics }] = await Promise.all([
    load<typeof ConfigModule>('config/config.js'),
    load<typeof LoggerModule>('observability/logger.js'),
    load<typeof MetricsModule>('observability/metrics.js'),
  ]);
  const config = loadConfig(process.env);
  const logger = createLogger(process.env.LOG_LEVEL || 'silent');
  const metrics = createMetrics();
  const mlflow = countMlflowCalls(process.env.MLFLOW_TRACKING_URI);
  const fast = { retries: 1, minTimeoutMs: 50, timeoutMs: 5000 };
  const pieces: Array<{ port?: number; stop(): Promise<void> }> = [];
  if (role !== 'bot') {
    const { runWorker } = await load<typeof RunWorkerModule>('cli/run-worker.js');
    pieces.push(
      await runWorker(config, logger, metrics, { clientSettings: fast, rolloutPollMs: 500, graceMs: 2000 }),
    );
  }
  if (role !== 'worker') {
    const { runBot } = await load<typeof RunBotModule>('cli/run-bot.js');
    pieces.push(await runBot(config, logger, metrics, { port: 0, clientSettings: fast }));
  }
  const send = (m: FromService): void => void process.send?.(m);
  const profiler = new Session();
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  let gcMaxMs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, e.duration);
  }).observe({ entryTypes: ['gc'] });
  process.on('message', (m: ToService) => {
    if (m.type === 'profile-start' || m.type === 'profile-stop') {
      void profileStep(profiler, m).then(() => send({ type: 'profiled' }));
      return;
    }
    if (m.type === 'stop') {
      // The bot first (it stops taking work), then the worker, as `kube-autofix start` does.
      void (async () => {
        for (const p of [...pieces].reverse()) await p.stop();
      })().finally(() => process.exit(0));
      return;
    }
    if (m.type === 'stats') {
      const cpu = process.cpuUsage();
      send({
        type: 'stats',
        cpuMs: (cpu.user + cpu.system) / 1000,
        mlflowCalls: { ...mlflow.mlflowCalls },
        mlflowLatencyMs: Object.fromEntries(
          Object.entries(mlflow.mlflowLatencyMs).map(([k, v]) => [k, [...v]]),
        ),
        lagP99Ms: Number((lag.percentile(99) / 1e6).toFixed(1)),
        gcMaxMs: Number(gcMaxMs.toFixed(1)),
      });
      lag.reset();
      gcMaxMs = 0;
      return;
    }
    const gc = m.type === 'gc' ? (globalThis as { gc?: () => void }).gc : undefined;
    // Twice: the first pass runs finalizers whose objects only the second can free.
    gc?.();
    gc?.();
    send({ type: 'memory', ...sample(gc !== undefined) });
  });
  send({ type: 'ready', port: pieces.find((p) => p.port !== undefined)?.port ?? 0 });
}

await main();
