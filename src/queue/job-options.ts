// Retry, back-off and retention of each job kind: transient failures retry, the rest fail once.
import type { JobsOptions } from 'bullmq';
import type { JobName } from './jobs.js';

const KEEP = {
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

/** Attempts include the first run; back-off doubles from `delay` ms (3 s, 6 s, 12 s…). */
export const JOB_OPTIONS: Readonly<Record<JobName, JobsOptions>> = {
  investigate: { attempts: 4, backoff: { type: 'exponential', delay: 3000 }, ...KEEP },
  apply: { attempts: 3, backoff: { type: 'exponential', delay: 3000 }, ...KEEP },
  rollback: { attempts: 3, backoff: { type: 'exponential', delay: 3000 }, ...KEEP },
  decide: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, ...KEEP },
  expire: { attempts: 3, backoff: { type: 'exponential', delay: 3000 }, ...KEEP },
  triage: { attempts: 2, backoff: { type: 'exponential', delay: 3000 }, ...KEEP },
  resolve: { attempts: 3, backoff: { type: 'exponential', delay: 3000 }, ...KEEP },
  bookkeeping: { attempts: 3, backoff: { type: 'exponential', delay: 10_000 }, ...KEEP },
};
