// Coded errors: every error a user can meet carries a stable `.code`, an exit code and what to do.
export const ErrorCode = {
  BadInput: 'BAD_INPUT',
  ConfigInvalid: 'CONFIG_INVALID',
  NamespaceNotAllowed: 'NAMESPACE_NOT_ALLOWED',
  TargetNotFound: 'TARGET_NOT_FOUND',
  Forbidden: 'FORBIDDEN',
  ClusterUnreachable: 'CLUSTER_UNREACHABLE',
  StaleProposal: 'STALE_PROPOSAL',
  GitOpsManaged: 'GITOPS_MANAGED',
  /** The API server refused the change itself (422 validation, 409 conflict): retrying cannot help. */
  PatchRejected: 'PATCH_REJECTED',
  /** The clicker (or approver) is not allowed to make this decision, at the time it is made. */
  NotAuthorized: 'NOT_AUTHORIZED',
  /** Rolling back would overwrite a change made after kube-autofix's own. */
  RollbackUnsafe: 'ROLLBACK_UNSAFE',
  /** A job or proposal of another cluster reached this worker (a routing mistake): it is not acted on. */
  WrongCluster: 'WRONG_CLUSTER',
  LlmUnavailable: 'LLM_UNAVAILABLE',
  TrackingFailed: 'TRACKING_FAILED',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Exit codes of the CLI contract: 2 bad input or refused, 3 infrastructure. */
const EXIT_CODES: Record<ErrorCode, number> = {
  BAD_INPUT: 2,
  CONFIG_INVALID: 2,
  NAMESPACE_NOT_ALLOWED: 2,
  TARGET_NOT_FOUND: 2,
  FORBIDDEN: 2,
  STALE_PROPOSAL: 2,
  GITOPS_MANAGED: 2,
  PATCH_REJECTED: 2,
  NOT_AUTHORIZED: 2,
  ROLLBACK_UNSAFE: 2,
  WRONG_CLUSTER: 2,
  CLUSTER_UNREACHABLE: 3,
  LLM_UNAVAILABLE: 3,
  TRACKING_FAILED: 3,
  INTERNAL: 3,
};

/**
 * The one error base (like Bolt's CodedError): every error of the domain, the queue and Slack carries a
 * stable `.code` and says whether retrying later can help.
 */
export abstract class CodedError<C extends string = string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  /** Worth retrying later (network, 5xx, 429, an unavailable store); false for refusals and bad input. */
  abstract get transient(): boolean;
}

export function isCodedError(e: unknown): e is CodedError {
  return e instanceof CodedError;
}

const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.ClusterUnreachable,
  ErrorCode.LlmUnavailable,
  ErrorCode.TrackingFailed,
]);

/** An API server status → our code: 403/404/409/422 are permanent answers; 429, 5xx (and no answer) transient. */
export function codeForHttpStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return ErrorCode.Forbidden;
  if (status === 404) return ErrorCode.TargetNotFound;
  if (status === 429 || status >= 500 || status === 0) return ErrorCode.ClusterUnreachable;
  return ErrorCode.PatchRejected;
}

export class AutofixError extends CodedError<ErrorCode> {
  /** A sentence telling the user how to act on it, when there is one. */
  readonly hint: string | null;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'AutofixError';
    this.hint = options.hint ?? null;
  }

  get transient(): boolean {
    return TRANSIENT_CODES.has(this.code);
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }

  /** Message and hint on one line, as shown to users. */
  describe(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }
}

export function isAutofixError(e: unknown): e is AutofixError {
  return e instanceof AutofixError;
}

/** Anything thrown, as a coded error: an unforeseen one becomes INTERNAL with its message kept. */
export function asAutofixError(e: unknown): AutofixError {
  if (isAutofixError(e)) return e;
  const message = `Unexpected error: ${e instanceof Error ? e.message : String(e)}`;
  return new AutofixError(ErrorCode.Internal, message, { cause: e });
}
