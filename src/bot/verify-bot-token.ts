// Checks SLACK_BOT_TOKEN once at start (auth.test) and returns the bot's ids, so Bolt never re-checks per request.
import type { SlackConfig } from '../config/config.js';
import { AutofixError, ErrorCode } from '../domain/index.js';
import { createSlackWebClient, isSlackPostError, type WebClientSettings } from '../slack/slack-poster.js';
import * as webApi from '@slack/web-api';

export interface BotIdentity {
  botId: string;
  botUserId: string;
  /** The workspace the token belongs to (threads the bot opens on its own carry it, like a command's). */
  teamId: string | null;
}

const REFUSED = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
]);

export async function verifyBotToken(
  slack: Pick<SlackConfig, 'apiUrl' | 'botToken'>,
  settings: WebClientSettings = {},
): Promise<BotIdentity> {
  const client = createSlackWebClient(slack, {
    retries: settings.retries ?? 5,
    minTimeoutMs: settings.minTimeoutMs ?? 1000,
    timeoutMs: settings.timeoutMs,
  });
  try {
    const res = await client.auth.test();
    if (!res.bot_id || !res.user_id)
      throw new AutofixError(
        ErrorCode.ConfigInvalid,
        'SLACK_BOT_TOKEN is not a bot token (auth.test returned no bot id).',
        { hint: 'Use the Bot User OAuth Token (xoxb-…).' },
      );
    return { botId: res.bot_id, botUserId: res.user_id, teamId: res.team_id ?? null };
  } catch (e) {
    if (e instanceof AutofixError || isSlackPostError(e)) throw e;
    if (e instanceof webApi.WebAPIPlatformError && REFUSED.has(e.data.error)) {
      throw new AutofixError(
        ErrorCode.ConfigInvalid,
        `SLACK_BOT_TOKEN was refused by Slack (${e.data.error}).`,
        {
          hint: 'Copy the Bot User OAuth Token (xoxb-…) of the installed app again.',
        },
      );
    }
    throw new AutofixError(
      ErrorCode.Internal,
      `Slack could not be reached to verify SLACK_BOT_TOKEN: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
}
