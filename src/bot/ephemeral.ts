// A message as an ephemeral answer on a response_url: only the person who typed or clicked sees it.
import type { RespondArguments } from '@slack/bolt';
import type { SlackMessage } from '../slack/slack-poster.js';

export const ephemeral = (m: SlackMessage): RespondArguments => ({
  response_type: 'ephemeral',
  replace_original: false,
  text: m.text,
  ...(m.blocks ? { blocks: m.blocks } : {}),
});
