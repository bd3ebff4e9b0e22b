// Decides whether a failed job is worth retrying from the error's code: infrastructure yes, refusals never.
import { UnrecoverableError } from 'bullmq';
import { ZodError } from 'zod';
import { isAutofixError, isCodedError } from '../domain/index.js';

export type FailureKind = 'transient' | 'permanent';

export function classifyFailure(e: unknown): FailureKind {
  if (e instanceof UnrecoverableError || e instanceof ZodError) return 'permanent';
  if (isCodedError(e)) return e.transient ? 'transient' : 'permanent';
  // Anything uncoded (sockets, Redis, timeouts) is most likely infrastructure: retry with back-off.
  return 'transient';
}

/** The last attempt BullMQ will make for this job (attemptsMade counts earlier failed attempts). */
export function isFinalAttempt(job: { attemptsMade: number; opts: { attempts?: number } }): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/** A one-line, user-presentable description of a failure. */
export function describeFailure(e: unknown): string {
  if (isAutofixError(e)) return e.describe();
  if (e instanceof ZodError)
    return `invalid data: ${e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
  return e instanceof Error ? e.message : String(e);
}
