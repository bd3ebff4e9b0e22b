// A round's MLflow bookkeeping written after its result is posted, without holding the job's worker slot and
// yielding to investigations still running (their only MLflow call, the run's creation, should not queue behind
// it); a delayed watch job (processors/bookkeeping.ts) completes the run should this process die first.
import type { Logger } from '../observability/logger.js';
import type { BookkeepingJob } from './jobs.js';
import type { Producer } from './producer.js';

export interface Bookkeeping {
  /** Arranges the watch; call before posting the round's result, so a crash right after is covered. */
  watch(job: Omit<BookkeepingJob, 'cluster'>): Promise<void>;
  /** Runs `investigation` counted as one running: flushes wait (boundedly) while any runs. */
  investigating<T>(investigation: () => Promise<T>): Promise<T>;
  /**
   * Queues `flush` and returns. Flushes start, at most `parallel` at a time, once no investigation has run
   * for `idleMs`, or when `limit` are queued, or when one has waited `maxWaitMs`; with twice `limit` queued
   * or running, `defer` waits for one to finish (MLflow is behind: memory stays bounded). `flush` answers
   * whether it wrote everything: only then is the watch removed (otherwise it runs later and completes the run).
   */
  defer(runId: string | null, flush: () => Promise<boolean>): Promise<void>;
  /** Starts every queued flush at once (each is bounded by its deadline) and waits for all (shutdown: before the connections close). */
  drain(): Promise<void>;
}

export interface BookkeepingOptions {
  producer: Pick<Producer, 'addBookkeeping' | 'cancelBookkeeping'>;
  /** The worker's cluster (AUTOFIX_CLUSTER): its queue carries the watch jobs. */
  cluster: string;
  logger: Logger;
  /** Queued flushes that start even while investigations run (default 8). */
  limit?: number;
  /** Flushes in flight at most (default 2): more would queue a new investigation's run creation behind theirs. */
  parallel?: number;
  /**
   * How long no investigation must run before flushes start (default 250 ms): between one job and the next
   * a busy worker has none running for a moment, which is no pause in its work.
   */
  idleMs?: number;
  /** The longest a flush waits for investigations to finish (default 10 s). */
  maxWaitMs?: number;
  /** When the watch runs if not removed: past the longest wait plus the tracker's flush deadline (default 2 min). */
  watchDelayMs?: number;
  now?: () => number;
}

interface Queued {
  runId: string | null;
  flush: () => Promise<boolean>;
  at: number;
}

export function createBookkeeping(opts: BookkeepingOptions): Bookkeeping {
  const limit = Math.max(1, opts.limit ?? 8);
  const parallel = Math.max(1, opts.parallel ?? 2);
  const idleMs = opts.idleMs ?? 250;
  const maxWaitMs = opts.maxWaitMs ?? 10_000;
  const delay = opts.watchDelayMs ?? 120_000;
  const now = opts.now ?? Date.now;
  const queued: Queued[] = [];
  const running = new Set<Promise<void>>();
  let investigations = 0;
  /** Since when none has run (null while one does). */
  let idleSince: number | null = now();
  let timer: NodeJS.Timeout | undefined;
  let draining = false;
  const warn = (what: string) => (e: unknown) =>
    opts.logger.warn({ err: e instanceof Error ? e.message : String(e) }, what);

  function start(q: Queued): void {
    const done: Promise<void> = q
      .flush()
      .then(async (written) => {
        if (written && q.runId) await opts.producer.cancelBookkeeping(opts.cluster, q.runId);
      })
      .catch(warn('MLflow bookkeeping failed'))
      .finally(() => {
        running.delete(done);
        pump();
      });
    running.add(done);
  }

  function pump(): void {
    clearTimeout(timer);
    timer = undefined;
    const idleAt = idleSince === null ? Infinity : idleSince + idleMs;
    while (queued.length > 0 && (draining || running.size < parallel)) {
      const t = now();
      const due = draining || t >= idleAt || queued.length >= limit || t - queued[0]!.at >= maxWaitMs;
      if (!due) break;
      start(queued.shift()!);
    }
    // A flush finishing pumps again; otherwise the worker going idle, or the oldest's wait being up, does.
    if (queued.length > 0 && running.size < parallel) {
      const wake = Math.min(idleAt, queued[0]!.at + maxWaitMs);
      timer = setTimeout(pump, Math.max(0, wake - now()));
      timer.unref();
    }
  }

  return {
    async watch(job) {
      // Without the watch a crash could leave the run RUNNING; the round still goes on.
      await opts.producer
        .addBookkeeping({ ...job, cluster: opts.cluster }, now() + delay)
        .catch(warn('could not arrange the bookkeeping watch'));
    },
    async investigating(investigation) {
      investigations += 1;
      idleSince = null;
      try {
        return await investigation();
      } finally {
        investigations -= 1;
        if (investigations === 0) idleSince = now();
        pump();
      }
    },
    async defer(runId, flush) {
      queued.push({ runId, flush, at: now() });
      pump();
      while (queued.length + running.size > 2 * limit && running.size > 0) await Promise.race(running);
    },
    async drain() {
      draining = true;
      pump();
      while (running.size > 0) await Promise.all([...running]);
      draining = false;
    },
  };
}
