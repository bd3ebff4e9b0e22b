// The typed error of the MLflow client: TRACKING_FAILED with the HTTP status and MLflow's error_code.
import { AutofixError, ErrorCode } from '../domain/index.js';

/** What failed: the server answered with an error, could not be reached, was too slow, or answered nonsense. */
export type MlflowFailure = 'http' | 'network' | 'timeout' | 'invalid_response' | 'unsupported';

export class MlflowError extends AutofixError {
  readonly failure: MlflowFailure;
  /** HTTP status when the server answered, else null. */
  readonly status: number | null;
  /** MLflow's `error_code` (e.g. RESOURCE_ALREADY_EXISTS) when the body carried one. */
  readonly errorCode: string | null;

  constructor(
    failure: MlflowFailure,
    message: string,
    details: { status?: number | null; errorCode?: string | null; cause?: unknown } = {},
  ) {
    super(ErrorCode.TrackingFailed, message, {
      hint: 'Check MLFLOW_TRACKING_URI and the MLflow credentials; tracking is optional and never blocks a fix.',
      cause: details.cause,
    });
    this.name = 'MlflowError';
    this.failure = failure;
    this.status = details.status ?? null;
    this.errorCode = details.errorCode ?? null;
  }

  /**
   * True when retrying later calls is pointless: the server is unreachable, too slow, refuses our
   * credentials or keeps failing. A 400 on one request (a bad key, a rewritten param) is not fatal.
   */
  get serverUnusable(): boolean {
    // A server answering non-MLflow content (a login page, a proxy's HTML) will keep doing so.
    if (this.failure === 'network' || this.failure === 'timeout' || this.failure === 'invalid_response')
      return true;
    if (this.failure !== 'http' || this.status === null) return false;
    // A 404 without MLflow's error body means the URI is not an MLflow server at all.
    if (this.status === 404 && this.errorCode === null) return true;
    return this.status === 401 || this.status === 403 || this.status === 429 || this.status >= 500;
  }
}

export function isMlflowError(e: unknown): e is MlflowError {
  return e instanceof MlflowError;
}
