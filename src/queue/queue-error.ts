// Coded errors of the queue and its Redis stores; `.code` is stable, messages are for people.
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

export class QueueError extends Error {
  readonly code: QueueErrorCode;

  constructor(code: QueueErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QueueError';
    this.code = code;
  }
}

export function isQueueError(e: unknown): e is QueueError {
  return e instanceof QueueError;
}
