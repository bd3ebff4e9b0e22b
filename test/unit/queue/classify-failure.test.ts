// Which failures a job retries (infrastructure) and which it never retries (bad input, refusals).
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AutofixError, ErrorCode, codeForHttpStatus } from '../../../src/domain/index.js';
import { StoreError, StoreErrorCode } from '../../../src/workflow/proposal-store.js';
import { classifyFailure, describeFailure, isFinalAttempt } from '../../../src/queue/classify-failure.js';
import { QueueError, QueueErrorCode } from '../../../src/queue/queue-error.js';
import { SlackPostError, SlackPostErrorCode } from '../../../src/slack/slack-poster.js';

const zodError = (() => {
  const r = z.object({ a: z.string() }).safeParse({});
  if (r.success) throw new Error('unreachable');
  return r.error;
})();

describe('classifyFailure', () => {
  it.each([
    ['cluster unreachable', new AutofixError(ErrorCode.ClusterUnreachable, 'x'), 'transient'],
    ['LLM unavailable', new AutofixError(ErrorCode.LlmUnavailable, 'x'), 'transient'],
    ['Redis down', new QueueError(QueueErrorCode.Unavailable, 'x'), 'transient'],
    ['Slack 5xx', new SlackPostError(SlackPostErrorCode.Unavailable, 'x', null), 'transient'],
    ['Slack rate limit', new SlackPostError(SlackPostErrorCode.RateLimited, 'x', 'ratelimited'), 'transient'],
    ['socket error', Object.assign(new Error('ECONNRESET'), { code: 'ECONNRESET' }), 'transient'],
    ['bad input', new AutofixError(ErrorCode.BadInput, 'x'), 'permanent'],
    ['namespace not allowed', new AutofixError(ErrorCode.NamespaceNotAllowed, 'x'), 'permanent'],
    ['target not found', new AutofixError(ErrorCode.TargetNotFound, 'x'), 'permanent'],
    ['forbidden', new AutofixError(ErrorCode.Forbidden, 'x'), 'permanent'],
    ['stale proposal', new AutofixError(ErrorCode.StaleProposal, 'x'), 'permanent'],
    [
      'Slack refused (channel_not_found)',
      new SlackPostError(SlackPostErrorCode.Rejected, 'x', 'channel_not_found'),
      'permanent',
    ],
    ['bad payload', new QueueError(QueueErrorCode.BadPayload, 'x'), 'permanent'],
    ['schema error', zodError, 'permanent'],
    ['unrecoverable', new UnrecoverableError('x'), 'permanent'],
    ['store unavailable', new StoreError(StoreErrorCode.Unavailable, 'x'), 'transient'],
    ['proposal not stored', new StoreError(StoreErrorCode.ProposalNotFound, 'x'), 'permanent'],
    ['patch rejected', new AutofixError(ErrorCode.PatchRejected, 'x'), 'permanent'],
    ['not authorized', new AutofixError(ErrorCode.NotAuthorized, 'x'), 'permanent'],
    ['rollback unsafe', new AutofixError(ErrorCode.RollbackUnsafe, 'x'), 'permanent'],
  ])('%s → %s', (_name, error, kind) => {
    expect(classifyFailure(error)).toBe(kind);
  });
});

describe('isFinalAttempt', () => {
  it('is true on the last of the configured attempts', () => {
    expect(isFinalAttempt({ attemptsMade: 0, opts: { attempts: 3 } })).toBe(false);
    expect(isFinalAttempt({ attemptsMade: 2, opts: { attempts: 3 } })).toBe(true);
    expect(isFinalAttempt({ attemptsMade: 0, opts: {} })).toBe(true);
  });
});

describe('describeFailure', () => {
  it('shows the hint of coded errors and the path of schema errors', () => {
    expect(
      describeFailure(new AutofixError(ErrorCode.StaleProposal, 'Changed.', { hint: 'Run again.' })),
    ).toBe('Changed. Run again.');
    expect(describeFailure(zodError)).toMatch(/^invalid data: a:/);
  });
});

describe('API server status → code → retry decision', () => {
  it.each([
    [403, 'FORBIDDEN', 'permanent'],
    [401, 'FORBIDDEN', 'permanent'],
    [404, 'TARGET_NOT_FOUND', 'permanent'],
    [409, 'PATCH_REJECTED', 'permanent'],
    [422, 'PATCH_REJECTED', 'permanent'],
    [400, 'PATCH_REJECTED', 'permanent'],
    [429, 'CLUSTER_UNREACHABLE', 'transient'],
    [500, 'CLUSTER_UNREACHABLE', 'transient'],
    [503, 'CLUSTER_UNREACHABLE', 'transient'],
  ])('%i → %s (%s)', (status, code, kind) => {
    const c = codeForHttpStatus(status);
    expect(c).toBe(code);
    expect(classifyFailure(new AutofixError(c, 'x'))).toBe(kind);
  });
});
