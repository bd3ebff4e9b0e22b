// The shapes the local Slack server sends its page: one user's channel view and the page's settings.

export interface ViewMessage {
  ts: string;
  threadTs: string | null;
  author: string;
  /** Posted by an app (an APP badge). */
  bot: boolean;
  /** HH:MM UTC of the first post. */
  time: string;
  edited: boolean;
  /** Only the viewing user sees it. */
  ephemeral: boolean;
  /** The rendered body: built by escaping every piece of text (render-blocks, render-mrkdwn). */
  html: string;
}

export interface ChannelView {
  user: string;
  parents: ViewMessage[];
  /** Replies by parent ts, oldest first. */
  threads: Record<string, ViewMessage[]>;
}

export interface PageConfig {
  workspace: string;
  channel: { id: string; name: string };
  users: Array<{ id: string; name: string; role: string }>;
  botName: string;
}

/** What a command or click came to: the bot's HTTP status and time, or Slack's error words. */
export interface ActionResult {
  status: number | null;
  ms: number | null;
  error: string | null;
}
