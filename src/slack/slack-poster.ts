// Posts and edits Slack messages: honours 429 Retry-After (bounded), retries 5xx briefly, falls back to plain text.
import * as webApi from '@slack/web-api';
import type { types } from '@slack/bolt';
import type { SlackConfig } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import { CodedError } from '../domain/index.js';
import { asRecord, asString } from '../domain/json-access.js';
import { createSlackFetch } from './slack-fetch.js';

export type WebClient = InstanceType<typeof webApi.WebClient>;
type WebClientOptions = NonNullable<ConstructorParameters<typeof webApi.WebClient>[1]>;

/** What the Block Kit builders return: `text` is the notification and plain-text fallback. */
export interface SlackMessage {
  text: string;
  blocks?: (types.KnownBlock | types.Block)[];
}

export const SlackPostErrorCode = {
  RateLimited: 'SLACK_RATE_LIMITED',
  Unavailable: 'SLACK_UNAVAILABLE',
  Rejected: 'SLACK_REJECTED',
} as const;
export type SlackPostErrorCode = (typeof SlackPostErrorCode)[keyof typeof SlackPostErrorCode];

export class SlackPostError extends CodedError<SlackPostErrorCode> {
  /** Slack's own error string (`channel_not_found`, `invalid_auth`…) when it gave one. */
  readonly slackError: string | null;

  constructor(
    code: SlackPostErrorCode,
    message: string,
    slackError: string | null,
    options: { cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.name = 'SlackPostError';
    this.slackError = slackError;
  }

  /** Worth retrying later (rate limit, Slack 5xx, network). */
  get transient(): boolean {
    return this.code !== SlackPostErrorCode.Rejected;
  }
}

export function isSlackPostError(e: unknown): e is SlackPostError {
  return e instanceof SlackPostError;
}

/** Slack's answers that mean "try again later" although they come as ok:false. */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);
/** Answers meaning the blocks (not the text) were refused: retry as plain text. */
const BLOCK_ERRORS = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_attachments',
  'msg_blocks_too_long',
]);

export interface WebClientSettings {
  /** Retries of 5xx and network failures (not 429s, which the poster handles). */
  retries?: number;
  minTimeoutMs?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

/** Options shared by the bot's Bolt client and the worker's client. */
export function webClientOptions(
  slack: Pick<SlackConfig, 'apiUrl'>,
  settings: WebClientSettings = {},
): WebClientOptions {
  const url = slack.apiUrl ? (slack.apiUrl.endsWith('/') ? slack.apiUrl : `${slack.apiUrl}/`) : undefined;
  return {
    ...(url ? { slackApiUrl: url } : {}),
    // 429s are surfaced to the poster, which waits Retry-After itself with its own bound.
    rejectRateLimitedCalls: true,
    retryConfig: {
      retries: settings.retries ?? 2,
      factor: 2,
      minTimeout: settings.minTimeoutMs ?? 500,
      maxTimeout: 5000,
    },
    timeout: settings.timeoutMs ?? 10_000,
    fetch: createSlackFetch(),
  };
}

export function createSlackWebClient(
  slack: Pick<SlackConfig, 'apiUrl' | 'botToken'>,
  settings: WebClientSettings = {},
): WebClient {
  return new webApi.WebClient(slack.botToken ?? undefined, webClientOptions(slack, settings));
}

export interface SlackPoster {
  /** Posts in `channel` (in the thread when `threadTs` is set); returns the message ts. */
  post(channel: string, message: SlackMessage, threadTs?: string): Promise<string>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  postEphemeral(channel: string, user: string, message: SlackMessage, threadTs?: string): Promise<void>;
  delete(channel: string, ts: string): Promise<void>;
  /** A link to a message (the thread's parent for a thread link), or null when Slack cannot give one. */
  permalink(channel: string, ts: string): Promise<string | null>;
}

export interface PosterOptions {
  /** 429s waited out per call before giving up (default 3). */
  maxRateLimitRetries?: number;
  /** A Retry-After longer than this is not waited for in-line: the call fails as rate limited (default 60 s). */
  maxRetryAfterSeconds?: number;
  sleep?: (ms: number) => Promise<void>;
}

const FALLBACK_TEXT_MAX = 4000;

/**
 * A message's fields as Slack's form body carries them, `blocks` already JSON text: the client sends the same
 * bytes, but no longer walks every block to build a redacted copy for a debug line (built even with debug off)
 * and again to encode it (4% of what the bot allocated per command in a heap profile).
 */
function messageFields(m: SlackMessage, extra: Record<string, string | undefined>): Record<string, unknown> {
  const fields: Record<string, unknown> = { text: m.text };
  if (m.blocks) fields.blocks = JSON.stringify(m.blocks);
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) fields[k] = v;
  return fields;
}

function toPostError(method: string, e: unknown): SlackPostError {
  if (e instanceof webApi.WebAPIRateLimitedError) {
    return new SlackPostError(
      SlackPostErrorCode.RateLimited,
      `${method}: rate limited (retry after ${e.retryAfter}s)`,
      'ratelimited',
      { cause: e },
    );
  }
  if (e instanceof webApi.WebAPIPlatformError) {
    const err = e.data.error;
    const code = TRANSIENT_PLATFORM_ERRORS.has(err)
      ? SlackPostErrorCode.Unavailable
      : SlackPostErrorCode.Rejected;
    return new SlackPostError(code, `${method}: Slack answered ${err}`, err, { cause: e });
  }
  if (e instanceof webApi.WebAPIHTTPError) {
    const code = e.statusCode >= 500 ? SlackPostErrorCode.Unavailable : SlackPostErrorCode.Rejected;
    return new SlackPostError(code, `${method}: HTTP ${e.statusCode}`, null, { cause: e });
  }
  const why = e instanceof Error ? e.message : String(e);
  return new SlackPostError(SlackPostErrorCode.Unavailable, `${method}: ${why}`, null, { cause: e });
}

export function createSlackPoster(client: WebClient, logger: Logger, opts: PosterOptions = {}): SlackPoster {
  const maxRetries = opts.maxRateLimitRetries ?? 3;
  const maxWait = opts.maxRetryAfterSeconds ?? 60;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  /** One Web API call with bounded waits on 429, errors mapped to SlackPostError. */
  async function call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof webApi.WebAPIRateLimitedError && attempt < maxRetries && e.retryAfter <= maxWait) {
          logger.warn(
            { method, retryAfterSeconds: e.retryAfter, attempt: attempt + 1 },
            'slack rate limited; waiting',
          );
          await sleep(Math.max(e.retryAfter, 1) * 1000);
          continue;
        }
        throw toPostError(method, e);
      }
    }
  }

  /** Rich first; when Slack refuses the blocks, the same text alone. */
  async function withFallback<T>(
    method: string,
    message: SlackMessage,
    send: (m: SlackMessage) => Promise<T>,
  ): Promise<T> {
    try {
      return await call(method, () => send(message));
    } catch (e) {
      const slackError = isSlackPostError(e) ? e.slackError : null;
      if (!message.blocks || !slackError || !BLOCK_ERRORS.has(slackError)) throw e;
      logger.warn({ method, slackError }, 'slack refused the blocks; sending plain text');
      return call(method, () => send({ text: message.text.slice(0, FALLBACK_TEXT_MAX) }));
    }
  }

  return {
    async post(channel, message, threadTs) {
      const res = await withFallback('chat.postMessage', message, (m) =>
        client.apiCall('chat.postMessage', messageFields(m, { channel, thread_ts: threadTs })),
      );
      const ts = asString(asRecord(res).ts);
      if (!ts)
        throw new SlackPostError(SlackPostErrorCode.Rejected, 'chat.postMessage: no ts in the answer', null);
      return ts;
    },
    async update(channel, ts, message) {
      // No blocks sent on update would keep the old ones: an empty list clears them.
      await withFallback('chat.update', message, (m) =>
        client.apiCall('chat.update', messageFields({ ...m, blocks: m.blocks ?? [] }, { channel, ts })),
      );
    },
    async postEphemeral(channel, user, message, threadTs) {
      await withFallback('chat.postEphemeral', message, (m) =>
        client.apiCall('chat.postEphemeral', messageFields(m, { channel, user, thread_ts: threadTs })),
      );
    },
    async delete(channel, ts) {
      await call('chat.delete', () => client.chat.delete({ channel, ts }));
    },
    async permalink(channel, ts) {
      try {
        const res = await call('chat.getPermalink', () =>
          client.chat.getPermalink({ channel, message_ts: ts }),
        );
        return res.permalink ?? null;
      } catch (e) {
        // A missing link only makes the MLflow story poorer; the thread works without it.
        logger.warn(
          { channel, err: e instanceof Error ? e.message : String(e) },
          'no permalink for the thread',
        );
        return null;
      }
    },
  };
}
