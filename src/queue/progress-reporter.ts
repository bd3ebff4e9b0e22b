// One threaded progress message per job, edited (throttled) as agent events arrive; a retried job edits the same one.
import type { ProgressEvent } from '../agent/progress.js';
import type { Logger } from '../observability/logger.js';
import type { SlackMessage, SlackPoster } from '../slack/slack-poster.js';
import type { SlackThread } from './jobs.js';
import type { JobMessages } from './job-messages.js';

export interface ProgressView {
  iteration: number;
  lines: readonly string[];
  done: boolean;
}

export interface ProgressReporterOptions {
  poster: SlackPoster;
  messages: JobMessages;
  jobId: string;
  thread: SlackThread;
  render: (view: ProgressView) => SlackMessage;
  logger: Logger;
  /** Minimum time between two edits (Slack allows about one update per second per channel). */
  minIntervalMs?: number;
  /** Iteration shown before the first event. */
  firstIteration?: number;
}

export interface ProgressReporter {
  /** Posts the message, or adopts the one an earlier attempt of this job posted. */
  start(note?: string): Promise<void>;
  /** The agent's progress sink (synchronous; edits happen in the background). */
  readonly sink: (event: ProgressEvent) => void;
  /** Final edit; resolves when it is sent. */
  finish(done: boolean): Promise<void>;
}

const STAGE_WORDS: Record<ProgressEvent['stage'], string> = {
  collect: 'collected',
  analyze: 'analyzers',
  diagnose: 'diagnosis',
  propose: 'proposal',
  validate: 'validation',
  dry_run: 'dry-run',
  apply: 'apply',
  rollout: 'rollout',
  done: 'done',
};

/** "collect: reading deployment/web…" → a readable line. */
export function progressLine(e: ProgressEvent): string {
  return `${STAGE_WORDS[e.stage]}: ${e.message}`;
}

export function createProgressReporter(opts: ProgressReporterOptions): ProgressReporter {
  const minInterval = opts.minIntervalMs ?? 1200;
  const lines: string[] = [];
  let iteration = opts.firstIteration ?? 1;
  let ts: string | null = null;
  let lastSent = 0;
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();
  const log = opts.logger;

  const view = (done: boolean): SlackMessage => opts.render({ iteration, lines: [...lines], done });

  /** Edits are serialised: never two chat.update calls for this message in flight. */
  function send(done: boolean): Promise<void> {
    chain = chain.then(async () => {
      if (!ts) return;
      lastSent = Date.now();
      try {
        await opts.poster.update(opts.thread.channel, ts, view(done));
      } catch (e) {
        // Progress is best effort: a failed edit never fails the investigation.
        log.warn({ err: e instanceof Error ? e.message : String(e) }, 'progress update failed');
      }
    });
    return chain;
  }

  function schedule(): void {
    if (timer) return;
    const wait = Math.max(0, lastSent + minInterval - Date.now());
    timer = setTimeout(() => {
      timer = null;
      void send(false);
    }, wait);
  }

  return {
    async start(note) {
      if (note) lines.push(note);
      const recorded = await opts.messages.get(opts.jobId, 'progress');
      if (recorded) {
        ts = recorded;
        await send(false);
        return;
      }
      const posted = await opts.poster.post(opts.thread.channel, view(false), opts.thread.threadTs);
      const { won, ts: winner } = await opts.messages.record(opts.jobId, 'progress', posted);
      ts = winner;
      lastSent = Date.now();
      if (!won) await opts.poster.delete(opts.thread.channel, posted).catch(() => undefined);
    },
    sink(event) {
      if (event.iteration > 0) iteration = event.iteration;
      lines.push(progressLine(event));
      schedule();
    },
    async finish(done) {
      if (timer) clearTimeout(timer);
      timer = null;
      await send(done);
    },
  };
}
