// Faults: Redis killed and restarted with jobs waiting (none lost), producers fail fast meanwhile, /healthz says so.
import { randomBytes } from 'node:crypto';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { keySpace } from '../../src/queue/key-space.js';
import { createProducer, type Producer } from '../../src/queue/producer.js';
import { closeRedis, createRedisConnection, standaloneRedis } from '../../src/queue/redis-connection.js';
import { createAutofixWorker, type AutofixWorker } from '../../src/queue/worker.js';
import type { WorkerContext } from '../../src/queue/worker-context.js';
import { startOwnRedis, type OwnRedis } from '../../tools/stand-ins/redis-server.js';
import { slash, startHarness, type Harness } from './support/slack-harness.js';
import { waitFor } from './support/wait-for.js';

const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
let redis: OwnRedis;
let h: Harness;
let producer: Producer;
const prefix = `t${randomBytes(5).toString('hex')}`;
const keys = keySpace(prefix);
const connections: ReturnType<typeof createRedisConnection>[] = [];

beforeAll(async () => {
  redis = await startOwnRedis();
  h = await startHarness({ redisUrl: redis.url, env: { AUTOFIX_QUEUE_PREFIX: prefix } });
  const conn = createRedisConnection(standaloneRedis(redis.url), 'producer', logger);
  connections.push(conn);
  producer = createProducer({ connection: conn, keys, logger, timeoutMs: 2000 });
});

afterAll(async () => {
  await producer?.close().catch(() => undefined);
  for (const c of connections) await closeRedis(c);
  await h?.close();
  await redis?.stop();
});

/** A worker whose processors only record the jobs they ran. */
function recordingWorker(seen: string[]): AutofixWorker {
  const conn = createRedisConnection(standaloneRedis(redis.url), 'worker', logger);
  connections.push(conn);
  const context = { logger, metrics: createMetrics({ defaults: false }) } as unknown as WorkerContext;
  const record = async (_data: unknown, job: Job): Promise<string> => {
    seen.push(String(job.id));
    return 'ok';
  };
  const config = loadConfig({});
  return createAutofixWorker({
    connection: conn,
    keys: keys.cluster('default'),
    queue: { ...config.queue, lockDurationMs: 2000 },
    context,
    processors: { apply: record, rollback: record },
  });
}

const healthz = async (): Promise<number> =>
  (await fetch(h.botUrl.replace('/slack/events', '/healthz'))).status;

describe('Redis restarted with jobs waiting', () => {
  it('loses none of them, and producers and /healthz report the outage instead of hanging', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++)
      ids.push(await producer.addApply({ cluster: 'default', proposalId: `p${i}`, approvedBy: 'U1' }));
    expect(await healthz()).toBe(200);

    await redis.crash();
    // Fail fast: an enqueue while Redis is down errors within the bound instead of buffering forever.
    const t0 = performance.now();
    const err = await producer
      .addApply({ cluster: 'default', proposalId: 'during-outage', approvedBy: 'U1' })
      .catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('QUEUE_UNAVAILABLE');
    expect(performance.now() - t0).toBeLessThan(2500);
    expect(await healthz()).toBe(503);
    // A slash command during the outage is answered in time, in the ack: the bot cannot read which clusters are served.
    const reply = await slash(h, 'deployment/web -n shop');
    expect(reply.status).toBe(200);
    expect(reply.ms).toBeLessThan(3000);
    expect(JSON.stringify(reply.json)).toMatch(/cannot reach its queue right now.*Nothing was started/);

    await redis.start();
    await waitFor(async () => (await healthz()) === 200, { what: '/healthz back to 200', timeoutMs: 15_000 });
    const seen: string[] = [];
    const worker = recordingWorker(seen);
    try {
      await waitFor(async () => seen.length >= ids.length, {
        what: 'all 20 jobs processed after the restart',
        timeoutMs: 30_000,
      });
      expect([...seen].sort()).toEqual([...ids].sort());

      // The same worker survives a second crash and takes new work once Redis is back.
      await redis.crash();
      await redis.start();
      const late = await waitFor(
        () =>
          producer
            .addRollback({ cluster: 'default', proposalId: 'after', requestedBy: 'U1' })
            .catch(() => null),
        {
          what: 'an enqueue after the restart',
          timeoutMs: 15_000,
        },
      );
      await waitFor(async () => seen.includes(late), {
        what: 'the new job processed by the reconnected worker',
        timeoutMs: 30_000,
      });
    } finally {
      await worker.close(5000);
    }
  });
});
