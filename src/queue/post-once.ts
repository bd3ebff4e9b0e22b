// Posts a job's final message at most once across retries and competing workers (ts recorded in Redis).
import type { SlackMessage, SlackPoster } from '../slack/slack-poster.js';
import type { SlackThread } from './jobs.js';
import type { JobMessages, MessageSlot } from './job-messages.js';

/** Returns the message's ts: the one already recorded for (jobId, slot), or the one just posted. */
export async function postOnce(
  deps: { poster: SlackPoster; messages: JobMessages },
  key: { jobId: string; slot: MessageSlot },
  /** Without threadTs the message goes to the channel itself (the triage listing). */
  thread: Pick<SlackThread, 'channel'> & { threadTs?: string },
  message: SlackMessage,
): Promise<string> {
  const recorded = await deps.messages.get(key.jobId, key.slot);
  if (recorded) return recorded;
  const ts = await deps.poster.post(thread.channel, message, thread.threadTs);
  const { won, ts: winner } = await deps.messages.record(key.jobId, key.slot, ts);
  // Another worker posted the same message meanwhile: keep theirs, remove ours.
  if (!won) await deps.poster.delete(thread.channel, ts).catch(() => undefined);
  return winner;
}
