// The worker's retry policy on real Redis: transient failures back off and retry, bad input and refusals never do.
import { randomBytes } from 'node:crypto';
import { Queue, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { AutofixError, ErrorCode } from '../../src/domain/index.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import { QUEUE_NAME } from '../../src/queue/jobs.js';
import { keySpace } from '../../src/queue/key-space.js';
import { createProducer, type Producer } from '../../src/queue/producer.js';
import { closeRedis, createRedisConnection, standaloneRedis } from '../../src/queue/redis-connection.js';
import { createAutofixWorker, type AutofixWorker } from '../../src/queue/worker.js';
import type { WorkerContext } from '../../src/queue/worker-context.js';
import { sandboxEnv } from './sandbox-env.js';
import { deletePrefix } from './support/slack-harness.js';
import { waitFor } from './support/wait-for.js';

const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const prefix = `t${randomBytes(5).toString('hex')}`;
const keys = keySpace(prefix);
const url = sandboxEnv().REDIS_URL;
const metrics = createMetrics({ defaults: false });
const conn = createRedisConnection(standaloneRedis(url), 'producer', logger);
const workerConn = createRedisConnection(standaloneRedis(url), 'worker', logger);
let producer: Producer;
let queue: Queue;
let worker: AutofixWorker;

/** Per proposal id: how to fail on each attempt (null = succeed). */
const script = new Map<string, Array<Error | null>>();
const attempts = new Map<string, number[]>();
let gate: { open: () => void; promise: Promise<void> } | null = null;

async function apply(data: { proposalId: string }, job: Job): Promise<string> {
  attempts.set(data.proposalId, [...(attempts.get(data.proposalId) ?? []), Date.now()]);
  if (data.proposalId.startsWith('slow') && gate) await gate.promise;
  const next = script.get(data.proposalId)?.shift();
  if (next) throw next;
  return `done after ${job.attemptsMade} failures`;
}

beforeAll(() => {
  producer = createProducer({ connection: conn, keys, logger });
  queue = new Queue(QUEUE_NAME, { connection: conn, prefix: keys.cluster('default').prefix });
  const context = { logger, metrics } as unknown as WorkerContext;
  worker = createAutofixWorker({
    connection: workerConn,
    keys: keys.cluster('default'),
    queue: { ...loadConfig({}).queue, concurrency: 4 },
    context,
    processors: { apply, rollback: apply },
  });
});

afterAll(async () => {
  await worker.close(2000);
  await producer.close();
  await queue.close();
  await deletePrefix(conn, prefix);
  await closeRedis(conn);
  await closeRedis(workerConn);
});

const finished = (id: string): Promise<Job> =>
  waitFor(
    // The job is read after its state is final: one read while it was still active has a stale attemptsMade.
    async () =>
      ['completed', 'failed'].includes(await queue.getJobState(id))
        ? ((await queue.getJob(id)) ?? null)
        : null,
    { what: `job ${id} finished`, timeoutMs: 30_000, intervalMs: 100 },
  );

describe('retries', () => {
  it('retries a transient failure with exponential back-off until it succeeds', async () => {
    script.set('flaky', [
      new AutofixError(ErrorCode.ClusterUnreachable, 'apiserver: connection refused'),
      new Error('socket hang up'),
      null,
    ]);
    const job = await finished(
      await producer.addApply({ cluster: 'default', proposalId: 'flaky', approvedBy: 'U1' }),
    );
    expect(job.returnvalue).toBe('done after 2 failures');
    const [a, b, c] = attempts.get('flaky')!;
    // 3 s, then 6 s (JOB_OPTIONS: exponential from 3 s).
    expect(b! - a!).toBeGreaterThanOrEqual(2900);
    expect(c! - b!).toBeGreaterThanOrEqual(5900);
  }, 40_000);

  it('never retries bad input or a refusal, and says why', async () => {
    script.set('refused', [
      new AutofixError(ErrorCode.NamespaceNotAllowed, 'Namespace "kube-system" is not allowed.'),
    ]);
    const job = await finished(
      await producer.addApply({ cluster: 'default', proposalId: 'refused', approvedBy: 'U1' }),
    );
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/not allowed/);
    expect(attempts.get('refused')).toHaveLength(1);
  });

  it('fails a job whose payload does not match its schema, without running it', async () => {
    const job = await queue.add('apply', { proposalId: '' }, { jobId: 'apply__bad', attempts: 3 });
    const done = await finished(job.id!);
    expect(done.attemptsMade).toBe(1);
    expect(done.failedReason).toMatch(/invalid payload/);
    const unknown = await finished((await queue.add('nonsense', {}, { attempts: 3 })).id!);
    expect(unknown.failedReason).toMatch(/Unknown job name/);
  });

  it("refuses a job of another cluster on this cluster's queue without running it", async () => {
    const job = await queue.add(
      'apply',
      { cluster: 'prod-eu', proposalId: 'misrouted', approvedBy: 'U1' },
      { jobId: 'apply__misrouted', attempts: 3 },
    );
    const done = await finished(job.id!);
    expect(done.attemptsMade).toBe(1);
    expect(done.failedReason).toMatch(
      /is for cluster prod-eu; this worker serves default\. Nothing was done/,
    );
    expect(attempts.get('misrouted')).toBeUndefined();
  });

  it("another cluster's queue is not consumed: its job waits for its own worker", async () => {
    const other = createProducer({ connection: conn, keys, logger });
    try {
      const id = await other.addApply({ cluster: 'staging', proposalId: 'elsewhere', approvedBy: 'U1' });
      const theirs = other.queue('staging');
      // Given the time our worker took for everything above, it would have taken this one by now if it could.
      await finished(await producer.addApply({ cluster: 'default', proposalId: 'ours', approvedBy: 'U1' }));
      expect(await (await theirs.getJob(id))!.getState()).toBe('waiting');
      expect(attempts.get('elsewhere')).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('deduplicates an apply for the same proposal while the first exists', async () => {
    const a = await producer.addApply({ cluster: 'default', proposalId: 'dup', approvedBy: 'U1' });
    const b = await producer.addApply({ cluster: 'default', proposalId: 'dup', approvedBy: 'U2' });
    expect(a).toBe(b);
    await finished(a);
    expect(attempts.get('dup')).toHaveLength(1);
  });

  it('counts jobs by name and outcome', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/autofix_jobs_total\{name="apply",outcome="retrying"\} 2/);
    expect(text).toMatch(/autofix_jobs_total\{name="apply",outcome="failed"\} [1-9]/);
    expect(text).toMatch(/autofix_jobs_total\{name="apply",outcome="completed"\} [1-9]/);
  });
});

/** Enqueues an apply that starts and then waits at the gate (`gate.open()` lets it finish); its job id. */
async function startHeld(cluster: string, proposalId: string): Promise<string> {
  let open!: () => void;
  gate = { open: () => open(), promise: new Promise<void>((r) => (open = r)) };
  const id = await producer.addApply({ cluster, proposalId, approvedBy: 'U1' });
  await waitFor(async () => attempts.get(proposalId)?.length === 1, {
    what: `job ${proposalId} to start`,
    timeoutMs: 10_000,
    intervalMs: 50,
  });
  return id;
}

describe('graceful shutdown', () => {
  it('close() lets the active job finish before returning', async () => {
    const id = await startHeld('default', 'slow');
    let closed = false;
    const started = new Promise((r) => worker.worker.once('closing', r));
    const closing = worker.close(20_000).then(() => (closed = true));
    await started;
    // Closing has begun and is held by the active job; releasing the job lets it complete.
    expect(closed).toBe(false);
    expect(await queue.getJob(id).then((j) => j?.getState())).toBe('active');
    gate!.open();
    await closing;
    const job = await queue.getJob(id);
    expect(job?.finishedOn).toBeTruthy();
    expect(job?.returnvalue).toBe('done after 0 failures');
  });

  it('close() takes no job that arrives while it withdraws, though a slot was free', async () => {
    // Concurrency 2 with one job active: the free slot's read is blocking in Redis, waiting for the next job.
    const solo = createAutofixWorker({
      connection: workerConn,
      keys: keys.cluster('solo'),
      queue: { ...loadConfig({}).queue, concurrency: 2 },
      context: { logger, metrics } as unknown as WorkerContext,
      processors: { apply, rollback: apply },
    });
    const soloQueue = new Queue(QUEUE_NAME, { connection: conn, prefix: keys.cluster('solo').prefix });
    try {
      const first = await startHeld('solo', 'slow-a');
      let second = '';
      // What the worker does while withdrawing: here a job arrives, then the active one is let go.
      await solo.close(10_000, async () => {
        second = await producer.addApply({ cluster: 'solo', proposalId: 'slow-b', approvedBy: 'U1' });
        gate!.open();
      });
      expect(await soloQueue.getJobState(first)).toBe('completed');
      expect(await soloQueue.getJobState(second)).toBe('waiting');
      expect(attempts.get('slow-b')).toBeUndefined();
    } finally {
      gate = null;
      await solo.close(2000);
      await soloQueue.close();
    }
  });
});
