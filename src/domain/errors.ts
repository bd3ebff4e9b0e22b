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
  CLUSTER_UNREACHABLE: 3,
  LLM_UNAVAILABLE: 3,
  TRACKING_FAILED: 3,
  INTERNAL: 3,
};

export class AutofixError extends Error {
  readonly code: ErrorCode;
  /** A sentence telling the user how to act on it, when there is one. */
  readonly hint: string | null;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AutofixError';
    this.code = code;
    this.hint = options.hint ?? null;
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
