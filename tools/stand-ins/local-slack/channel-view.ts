// One user's view of the channel: parent messages, threads, and only that user's ephemerals, rendered to HTML.
import { renderMessageBody } from './render-blocks.js';
import type { MrkdwnOptions } from './render-mrkdwn.js';
import type { SlackStandIn } from './slack-stand-in.js';
import { isSlackNotice } from './slack-user-actions.js';
import type { ChannelView, ViewMessage } from './web/view-types.js';

export type { ChannelView, ViewMessage } from './web/view-types.js';

const byTs = (a: { ts: string }, b: { ts: string }): number => Number(a.ts) - Number(b.ts);
const timeOf = (ts: string): string => new Date(Number(ts) * 1000).toISOString().slice(11, 16);

export function channelView(
  slack: SlackStandIn,
  channel: string,
  user: string,
  opts: MrkdwnOptions & { botName: string },
): ChannelView {
  const posted = slack.messagesIn(channel, null).flatMap((p) => [p, ...slack.messagesIn(channel, p.ts)]);
  const messages: ViewMessage[] = posted.map((m) => ({
    ts: m.ts,
    threadTs: m.threadTs,
    author: opts.botName,
    bot: true,
    time: timeOf(m.ts),
    edited: m.versions.length > 1,
    ephemeral: false,
    html: renderMessageBody(m, opts).value,
  }));
  const own = slack.ephemerals(channel, user).map((e) => ({
    ts: e.ts,
    threadTs: e.threadTs,
    author: isSlackNotice(e.text) ? 'Slackbot' : opts.botName,
    bot: !isSlackNotice(e.text),
    time: timeOf(e.ts),
    edited: false,
    ephemeral: true,
    html: renderMessageBody(e, opts).value,
  }));
  const all = [...messages, ...own].sort(byTs);
  const threads: Record<string, ViewMessage[]> = {};
  for (const m of all) if (m.threadTs) (threads[m.threadTs] ??= []).push(m);
  return { user, parents: all.filter((m) => m.threadTs === null), threads };
}
