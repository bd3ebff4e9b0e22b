// `/autofix clusters`: every registered cluster, its live workers (version, engine, concurrency, allowlist) and,
// for a cluster none serves now, when one was last seen (ephemeral).
import { SLACK_LIMITS, escapeMrkdwn } from '../slack-limits.js';
import { context, header, message, section, type KnownBlock, type SlackMessage } from './block-parts.js';

export interface ClusterWorkerView {
  workerId: string;
  version: string;
  engine: string;
  concurrency: number;
  live: boolean;
  /** Milliseconds since its last heartbeat. */
  ageMs: number;
  stopped: boolean;
}

export interface ClusterListView {
  name: string;
  /** What commands may name there now (see the bot's directory). */
  namespaces: readonly string[];
  lastSeenMs: number;
  workers: readonly ClusterWorkerView[];
  /** This channel's default cluster (AUTOFIX_CHANNEL_CLUSTERS). */
  channelDefault: boolean;
}

/** "just now", "45 s ago", "12 min ago", "3 h ago", "2 days ago". */
export function agoText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 5) return 'just now';
  if (s < 90) return `${s} s ago`;
  const min = Math.round(s / 60);
  if (min < 90) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 36) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

const code = (s: string): string => `\`${escapeMrkdwn(s)}\``;

function clusterBlock(c: ClusterListView): KnownBlock {
  const live = c.workers.filter((w) => w.live);
  const health =
    live.length > 0
      ? `:large_green_circle: ${live.length} live worker${live.length === 1 ? '' : 's'}`
      : `:red_circle: no live worker; last seen ${agoText(c.lastSeenMs)}`;
  const versions = [...new Set(live.map((w) => w.version))];
  const engines = [...new Set(live.map((w) => w.engine))];
  const slots = live.reduce((n, w) => n + w.concurrency, 0);
  const detail =
    live.length > 0
      ? `version ${versions.map(code).join(', ')} · engine ${engines.map(code).join(', ')} · ${slots} job${slots === 1 ? '' : 's'} at once`
      : '';
  const ns =
    c.namespaces.length === 0
      ? 'no namespace allowed'
      : `namespaces ${c.namespaces.slice(0, 15).map(code).join(', ')}${c.namespaces.length > 15 ? ', …' : ''}`;
  const mark = c.channelDefault ? ' _(this channel’s default)_' : '';
  const lines = [`*${escapeMrkdwn(c.name)}*${mark} — ${health}`, [detail, ns].filter(Boolean).join(' · ')];
  if (versions.length > 1) lines.push(':warning: its workers run different versions.');
  return section(lines.join('\n'));
}

export function buildClustersMessage(
  clusters: readonly ClusterListView[],
  command = '/autofix',
): SlackMessage {
  if (clusters.length === 0) {
    const text =
      'No kube-autofix worker has registered yet. Start one per cluster (`kube-autofix worker`, with AUTOFIX_CLUSTER naming its cluster) pointed at this bot’s Redis.';
    return message(escapeMrkdwn(text), [section(escapeMrkdwn(text))]);
  }
  const live = clusters.filter((c) => c.workers.some((w) => w.live)).length;
  const summary = `${clusters.length} cluster${clusters.length === 1 ? '' : 's'}, ${live} served now`;
  const blocks: KnownBlock[] = [header(`kube-autofix clusters: ${summary}`)];
  const room = SLACK_LIMITS.blocksPerMessage - 2;
  for (const c of clusters.slice(0, room)) blocks.push(clusterBlock(c));
  blocks.push(
    context(
      `Name one with \`${escapeMrkdwn(command)} deployment/web -n shop -c <cluster>\`.` +
        (clusters.length > room ? ` …and ${clusters.length - room} more.` : ''),
    ),
  );
  return message(`kube-autofix clusters: ${summary}`, blocks);
}
