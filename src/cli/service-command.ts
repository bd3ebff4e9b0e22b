// `bot`, `worker` and `start`: check the config, start the pieces, stop cleanly on SIGTERM/SIGINT.
import { configWarnings, loadConfig, type Config } from '../config/config.js';
import { AutofixError, ErrorCode, isAutofixError } from '../domain/index.js';
import { startHealthServer } from '../observability/health.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { closeRedis, createRedisConnection } from '../queue/redis-connection.js';
import { requireServiceConfig, type ServiceKind } from './require-service-config.js';
import { runBot } from './run-bot.js';

export interface ServiceOptions {
  /** HTTP port for /healthz and /metrics (and /slack/events for the bot); default PORT. */
  port?: string;
}

interface Stoppable {
  stop(): Promise<void>;
}

function portOf(opts: ServiceOptions, config: Config): number {
  if (opts.port === undefined) return config.port;
  const n = Number(opts.port);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new AutofixError(
      ErrorCode.BadInput,
      `--port must be an integer from 0 to 65535, got "${opts.port}".`,
    );
  return n;
}

/** The worker alone serves /healthz and /metrics on its own small server. */
async function workerHealth(
  config: Config,
  port: number,
  metrics: Metrics,
  logger: Logger,
): Promise<Stoppable> {
  const redis = createRedisConnection(config.redis, 'producer', logger.child({ component: 'health-redis' }));
  const server = await startHealthServer({ port, redis, registry: metrics.registry });
  logger.info({ port: server.port }, 'worker health and metrics listening');
  return {
    async stop() {
      await server.close();
      await closeRedis(redis);
    },
  };
}

async function startPieces(
  kind: ServiceKind,
  config: Config,
  port: number,
  logger: Logger,
): Promise<Stoppable[]> {
  const metrics = createMetrics();
  const pieces: Stoppable[] = [];
  if (kind === 'worker' || kind === 'start') {
    // Loaded only here, so the bot process never loads the agent or the Kubernetes client.
    const { runWorker } = await import('./run-worker.js');
    pieces.push(await runWorker(config, logger, metrics));
  }
  if (kind === 'bot' || kind === 'start') pieces.push(await runBot(config, logger, metrics, { port }));
  else pieces.push(await workerHealth(config, port, metrics, logger));
  return pieces;
}

/** Resolves on the first SIGTERM or SIGINT; a second one exits at once. */
function untilSignal(logger: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
      process.once('SIGTERM', () => process.exit(130));
      process.once('SIGINT', () => process.exit(130));
      logger.info({ signal }, 'shutting down: finishing active jobs, closing connections');
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

/** Runs until a signal; returns the exit code (2 for configuration errors). */
export async function runServiceCommand(
  kind: ServiceKind,
  opts: ServiceOptions,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  let config: Config;
  let port: number;
  try {
    config = loadConfig(env);
    requireServiceConfig(kind, config);
    port = portOf(opts, config);
  } catch (e) {
    process.stderr.write(`kube-autofix ${kind}: ${isAutofixError(e) ? e.describe() : String(e)}\n`);
    return isAutofixError(e) ? e.exitCode : 3;
  }
  const logger = createLogger(config.logLevel, { process: kind });
  for (const warning of configWarnings(config)) logger.warn({ config: true }, warning);
  const signal = untilSignal(logger);
  let pieces: Stoppable[];
  try {
    pieces = await startPieces(kind, config, port, logger);
  } catch (e) {
    logger.error(
      { err: e instanceof Error ? e.message : String(e), code: (e as { code?: unknown }).code },
      `could not start ${kind}`,
    );
    if (isAutofixError(e)) process.stderr.write(`kube-autofix ${kind}: ${e.describe()}\n`);
    return isAutofixError(e) ? e.exitCode : 3;
  }
  await signal;
  // Stop taking work first (bot before worker in `start`), then let active jobs finish.
  for (const piece of pieces.reverse())
    await piece.stop().catch((e: unknown) => logger.warn({ err: String(e) }, 'stop failed'));
  logger.info('stopped');
  return 0;
}
