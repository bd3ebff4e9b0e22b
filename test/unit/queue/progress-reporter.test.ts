// The progress message: posted once, edited at most once per interval, adopted (not re-posted) by a retried job.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import type { JobMessages } from '../../../src/queue/job-messages.js';
import { createProgressReporter, progressLine } from '../../../src/queue/progress-reporter.js';
import type { SlackMessage, SlackPoster } from '../../../src/slack/slack-poster.js';
import { memoryJobMessages } from '../../fixtures/memory-job-messages.js';

interface Sent {
  kind: 'post' | 'update' | 'delete';
  ts?: string;
  text?: string;
}

function fakes() {
  const sent: Sent[] = [];
  const recorded = new Map<string, string>();
  let n = 0;
  const poster: SlackPoster = {
    post: async (_c, m: SlackMessage) => {
      sent.push({ kind: 'post', text: m.text });
      return `ts${++n}`;
    },
    update: async (_c, ts, m) => void sent.push({ kind: 'update', ts, text: m.text }),
    postEphemeral: async () => undefined,
    permalink: async () => null,
    delete: async (_c, ts) => void sent.push({ kind: 'delete', ts }),
  };
  const messages: JobMessages = memoryJobMessages(recorded);
  return { sent, recorded, poster, messages };
}

const logger = createLogger('silent');
const render = (v: { iteration: number; lines: readonly string[]; done: boolean }): SlackMessage => ({
  text: `${v.iteration}|${v.done}|${v.lines.join(';')}`,
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('progress reporter', () => {
  it('posts one message in the thread, then throttles edits', async () => {
    const f = fakes();
    const r = createProgressReporter({
      ...f,
      jobId: 'j1',
      thread: { channel: 'C', threadTs: '1.1', teamId: null },
      render,
      logger,
      minIntervalMs: 1000,
    });
    await r.start();
    expect(f.sent).toEqual([{ kind: 'post', text: '1|false|' }]);
    for (let i = 0; i < 10; i++) r.sink({ stage: 'collect', iteration: 1, message: `step ${i}` });
    await vi.advanceTimersByTimeAsync(999);
    expect(f.sent.filter((s) => s.kind === 'update')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    // Ten events, one edit carrying all of them.
    const updates = f.sent.filter((s) => s.kind === 'update');
    expect(updates).toHaveLength(1);
    expect(updates[0]!.text).toContain('collected: step 9');
    r.sink({ stage: 'diagnose', iteration: 2, message: 'oom_killed' });
    await r.finish(true);
    expect(f.sent.at(-1)).toEqual({
      kind: 'update',
      ts: 'ts1',
      text: expect.stringMatching(/^2\|true\|.*diagnosis: oom_killed$/),
    });
  });

  it('a retried job edits the message the first attempt posted, noting the resumption', async () => {
    const f = fakes();
    f.recorded.set('j2/progress', 'ts-old');
    const r = createProgressReporter({
      ...f,
      jobId: 'j2',
      thread: { channel: 'C', threadTs: '1.1', teamId: null },
      render,
      logger,
    });
    await r.start('resumed after an interruption (attempt 2)');
    expect(f.sent).toEqual([
      { kind: 'update', ts: 'ts-old', text: '1|false|resumed after an interruption (attempt 2)' },
    ]);
  });

  it('when two attempts race, the loser deletes its duplicate and edits the winner', async () => {
    const f = fakes();
    const original = f.messages.record;
    f.messages.record = async (jobId, slot, ts) => {
      f.recorded.set(`${jobId}/${slot}`, 'ts-winner');
      return original(jobId, slot, ts);
    };
    const r = createProgressReporter({
      ...f,
      jobId: 'j3',
      thread: { channel: 'C', threadTs: '1.1', teamId: null },
      render,
      logger,
    });
    await r.start();
    expect(f.sent.map((s) => s.kind)).toEqual(['post', 'delete']);
    r.sink({ stage: 'collect', iteration: 1, message: 'x' });
    await r.finish(true);
    expect(f.sent.at(-1)).toMatchObject({ kind: 'update', ts: 'ts-winner' });
  });

  it('a failed edit never fails the investigation', async () => {
    const f = fakes();
    f.poster.update = async () => {
      throw new Error('slack down');
    };
    const r = createProgressReporter({
      ...f,
      jobId: 'j4',
      thread: { channel: 'C', threadTs: '1.1', teamId: null },
      render,
      logger,
    });
    await r.start();
    r.sink({ stage: 'collect', iteration: 1, message: 'x' });
    await expect(r.finish(true)).resolves.toBeUndefined();
  });

  it('words stages for people', () => {
    expect(progressLine({ stage: 'dry_run', iteration: 1, message: 'accepted' })).toBe('dry-run: accepted');
  });
});
