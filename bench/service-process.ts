// A bot or worker in its own process for the bench, reporting its memory over IPC (no inspector):
// "memory" answers RSS and heap as they are, "gc" forces a full collection first (run with --expose-gc).
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/observability/logger.js';
import { createMetrics } from '../src/observability/metrics.js';
import { runBot } from '../src/cli/run-bot.js';
import { runWorker } from '../src/cli/run-worker.js';

export interface MemorySample {
  rssMiB: number;
  heapUsedMiB: number;
  /** Whether a full GC ran just before (heap after GC tells a leak from lazy collection). */
  afterGc: boolean;
}

export type ToService = { type: 'memory' } | { type: 'gc' } | { type: 'stop' };
export type FromService = { type: 'ready'; port: number } | ({ type: 'memory' } & MemorySample);

const mib = (b: number): number => Number((b / 2 ** 20).toFixed(1));

function sample(afterGc: boolean): MemorySample {
  const m = process.memoryUsage();
  return { rssMiB: mib(m.rss), heapUsedMiB: mib(m.heapUsed), afterGc };
}

async function main(): Promise<void> {
  const role = process.argv[2];
  const config = loadConfig(process.env);
  const logger = createLogger(process.env.LOG_LEVEL || 'silent');
  const metrics = createMetrics();
  const fast = { retries: 1, minTimeoutMs: 50, timeoutMs: 5000 };
  const service: { port?: number; stop(): Promise<void> } =
    role === 'bot'
      ? await runBot(config, logger, metrics, { port: 0, clientSettings: fast })
      : await runWorker(config, logger, metrics, { clientSettings: fast, rolloutPollMs: 500, graceMs: 2000 });
  const send = (m: FromService): void => void process.send?.(m);
  process.on('message', (m: ToService) => {
    if (m.type === 'stop') {
      void service.stop().finally(() => process.exit(0));
      return;
    }
    const gc = m.type === 'gc' ? (globalThis as { gc?: () => void }).gc : undefined;
    // Twice: the first pass runs finalizers whose objects only the second can free.
    gc?.();
    gc?.();
    send({ type: 'memory', ...sample(gc !== undefined) });
  });
  send({ type: 'ready', port: service.port ?? 0 });
}

await main();
