// Coded errors of the queue and its Redis stores; `.code` is stable, messages are for people.
import { CodedError } from '../domain/errors.js';

export const QueueErrorCode = {
  /** Redis cannot be reached right now (producers fail fast instead of buffering). */
  Unavailable: 'QUEUE_UNAVAILABLE',
  /** A job's payload does not match its schema: retrying cannot help. */
  BadPayload: 'QUEUE_BAD_PAYLOAD',
  /** The proposal a job or click refers to is not (or no longer) stored. */
  ProposalNotFound: 'PROPOSAL_NOT_FOUND',
  /** A stored record did not parse: written by an incompatible version or corrupted. */
  CorruptRecord: 'QUEUE_CORRUPT_RECORD',
} as const;
export type QueueErrorCode = (typeof QueueErrorCode)[keyof typeof QueueErrorCode];

export class QueueError extends CodedError<QueueErrorCode> {
  constructor(code: QueueErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'QueueError';
  }

  get transient(): boolean {
    return this.code === QueueErrorCode.Unavailable;
  }
}

export function isQueueError(e: unknown): e is QueueError {
  return e instanceof QueueError;
}
