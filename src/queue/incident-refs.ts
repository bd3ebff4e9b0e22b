// Where an incident lives in Slack, for its MLflow story and traces: the thread's link and its session id.
import type { SlackPoster } from '../slack/slack-poster.js';
import type { SlackThread } from './jobs.js';

/** One Slack thread is one incident: every round's trace carries this as `mlflow.trace.session`. */
export function sessionIdFor(thread: SlackThread): string {
  return `slack-${thread.channel}-${thread.threadTs}`;
}

export async function incidentRefs(
  poster: Pick<SlackPoster, 'permalink'>,
  thread: SlackThread,
): Promise<{ threadUrl: string | null; sessionId: string }> {
  return {
    threadUrl: await poster.permalink(thread.channel, thread.threadTs),
    sessionId: sessionIdFor(thread),
  };
}
