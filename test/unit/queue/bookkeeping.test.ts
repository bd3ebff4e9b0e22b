// Bookkeeping after the round: flushes yield to running investigations (boundedly), a few at a time, and the watch
// goes only when all was written.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBookkeeping } from '../../../src/queue/bookkeeping.js';
import { createLogger } from '../../../src/observability/logger.js';

function setup(opts: { limit?: number; maxWaitMs?: number; parallel?: number; idleMs?: number } = {}) {
  const added: string[] = [];
  const cancelled: string[] = [];
  const b = createBookkeeping({
    producer: {
      addBookkeeping: async (job) => {
        added.push(`${job.cluster}/${job.runId}`);
        return job.runId;
      },
      cancelBookkeeping: async (cluster, runId) => void cancelled.push(`${cluster}/${runId}`),
    },
    cluster: 'staging',
    logger: createLogger('silent'),
    // Idle at once unless a test says otherwise; `now` read through Date so fake timers move it.
    idleMs: 0,
    now: () => Date.now(),
    ...opts,
  });
  return { b, added, cancelled };
}

/** A flush that records when it started and finishes when told. */
function gate(log: string[], name: string, written = true) {
  let open!: () => void;
  const done = new Promise<void>((r) => (open = r));
  return {
    flush: async () => {
      log.push(name);
      await done;
      return written;
    },
    open: () => open(),
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => {
  vi.useRealTimers();
});

describe('bookkeeping', () => {
  it('waits while an investigation runs, then flushes and removes the watch', async () => {
    const { b, added, cancelled } = setup();
    const started: string[] = [];
    let finish!: () => void;
    const running = b.investigating(() => new Promise<void>((r) => (finish = r)));
    await b.watch({ runId: 'r1', outcome: 'proposed', proposalId: 'p1' });
    const f = gate(started, 'r1');
    await b.defer('r1', f.flush);
    await tick();
    expect(started).toEqual([]);
    finish();
    await running;
    expect(started).toEqual(['r1']);
    f.open();
    await b.drain();
    // The watch goes on, and comes off, the worker's own cluster's queue.
    expect([added, cancelled]).toEqual([['staging/r1'], ['staging/r1']]);
  });

  it('keeps the watch when the flush did not write everything', async () => {
    const { b, cancelled } = setup();
    const f = gate([], 'r1', false);
    await b.defer('r1', f.flush);
    f.open();
    await b.drain();
    expect(cancelled).toEqual([]);
  });

  it('flushes anyway once `limit` wait, or once the oldest waited maxWaitMs', async () => {
    const { b } = setup({ limit: 2, maxWaitMs: 50, parallel: 3 });
    const started: string[] = [];
    let finish!: () => void;
    const running = b.investigating(() => new Promise<void>((r) => (finish = r)));
    const gates = ['a', 'b', 'c'].map((n) => gate(started, n));
    await b.defer('a', gates[0]!.flush);
    await tick();
    expect(started).toEqual([]);
    // Two waiting is the limit: the oldest starts, so fewer than `limit` wait.
    await b.defer('b', gates[1]!.flush);
    expect(started).toEqual(['a']);
    await b.defer('c', gates[2]!.flush);
    expect(started).toEqual(['a', 'b']);
    // The investigation is still running: the wait is what starts it.
    await new Promise((r) => setTimeout(r, 80));
    expect(started).toEqual(['a', 'b', 'c']);
    for (const g of gates) g.open();
    finish();
    await running;
    await b.drain();
  });

  it('drain starts what still waits and returns when every flush is done', async () => {
    const { b } = setup({ maxWaitMs: 60_000 });
    const started: string[] = [];
    let finish!: () => void;
    void b.investigating(() => new Promise<void>((r) => (finish = r)));
    const f = gate(started, 'x');
    await b.defer('x', f.flush);
    const drained = b.drain();
    await tick();
    expect(started).toEqual(['x']);
    f.open();
    await drained;
    finish();
  });
  it('a moment between two jobs is no pause: flushes start once none has run for idleMs', async () => {
    vi.useFakeTimers();
    const { b } = setup({ idleMs: 250 });
    const started: string[] = [];
    const f = gate(started, 'r1');
    await b.investigating(async () => {
      await b.defer('r1', f.flush);
    });
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toEqual([]);
    // The next job starts within the grace: the worker is still busy, the flush still waits.
    let finish!: () => void;
    const next = b.investigating(() => new Promise<void>((r) => (finish = r)));
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toEqual([]);
    finish();
    await next;
    await vi.advanceTimersByTimeAsync(249);
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toEqual(['r1']);
    f.open();
    await b.drain();
  });

  it('keeps at most `parallel` flushes in flight; the next starts when one finishes', async () => {
    const { b, cancelled } = setup({ parallel: 2 });
    const started: string[] = [];
    const gates = ['a', 'b', 'c'].map((n) => gate(started, n));
    for (const [i, g] of gates.entries()) await b.defer(['a', 'b', 'c'][i]!, g.flush);
    await tick();
    expect(started).toEqual(['a', 'b']);
    gates[1]!.open();
    await vi.waitFor(() => expect(started).toEqual(['a', 'b', 'c']));
    expect(cancelled).toEqual(['staging/b']);
    gates[0]!.open();
    gates[2]!.open();
    await b.drain();
    expect(cancelled.sort()).toEqual(['staging/a', 'staging/b', 'staging/c']);
  });

  it('drain starts every waiting flush at once, past `parallel` (each is bounded by its own deadline)', async () => {
    const { b } = setup({ parallel: 1, maxWaitMs: 60_000 });
    const started: string[] = [];
    let finish!: () => void;
    void b.investigating(() => new Promise<void>((r) => (finish = r)));
    const gates = ['a', 'b', 'c'].map((n) => gate(started, n));
    for (const [i, g] of gates.entries()) await b.defer(['a', 'b', 'c'][i]!, g.flush);
    expect(started).toEqual([]);
    const drained = b.drain();
    await tick();
    expect(started).toEqual(['a', 'b', 'c']);
    for (const g of gates) g.open();
    await drained;
    finish();
  });
});
