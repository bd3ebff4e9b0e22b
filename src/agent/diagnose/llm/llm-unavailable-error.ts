// The typed failure of the LLM engine: callers fall back to the rule engine on its code, LLM_UNAVAILABLE.
import { AutofixError, ErrorCode, type LlmUsage } from '../../../domain/index.js';

export class LlmUnavailableError extends AutofixError {
  /** Short cause for user-facing notes, e.g. "429 after 3 attempts" or "model refused". */
  readonly reason: string;
  /** Usage of every call made before giving up, so tracking still sees what was spent. */
  readonly usage: LlmUsage[];

  constructor(
    reason: string,
    detail: string | null,
    usage: LlmUsage[],
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(ErrorCode.LlmUnavailable, `LLM unavailable: ${reason}${detail ? ` (${detail})` : ''}.`, {
      hint: options.hint ?? 'The rule engine can diagnose without an LLM.',
      cause: options.cause,
    });
    this.name = 'LlmUnavailableError';
    this.reason = reason;
    this.usage = usage;
  }
}

export function isLlmUnavailable(e: unknown): e is AutofixError {
  return e instanceof AutofixError && e.code === ErrorCode.LlmUnavailable;
}
