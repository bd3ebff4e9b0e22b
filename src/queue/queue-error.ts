// Coded errors of the queue (the proposal store has its own); `.code` is stable, messages are for people.
import { CodedError } from '../domain/errors.js';

export const QueueErrorCode = {
  /** Redis cannot be reached right now (producers fail fast instead of buffering). */
  Unavailable: 'QUEUE_UNAVAILABLE',
  /** A job's payload does not match its schema: retrying cannot help. */
  BadPayload: 'QUEUE_BAD_PAYLOAD',
  /** A job names another cluster than the worker's: it is never run here. */
  WrongCluster: 'QUEUE_WRONG_CLUSTER',
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
