// The namespace triage message: unhealthy workloads, most severe first, each with an Investigate button, within Block Kit limits.
import type { Category, Target } from '../../domain/index.js';
import { SLACK_LIMITS, blocksTextLength, escapeMrkdwn, mention, truncateText } from '../slack-limits.js';
import { INVESTIGATE_ACTION } from '../slack-payloads.js';
import {
  button,
  context,
  header,
  message,
  section,
  type KnownBlock,
  type SlackMessage,
} from './block-parts.js';

/** What the worker's triage found (the agent's TriageReport has this shape; the bot never imports the agent). */
export interface TriageView {
  /** The cluster triaged: its Investigate buttons investigate there. */
  cluster: string;
  namespace: string;
  workloads: number;
  unhealthy: Array<{
    target: Target;
    category: Category;
    severity: 'critical' | 'warning';
    line: string;
    ready: string;
  }>;
  apiCalls: number;
  requestedBy: string;
}

/** Header, summary context and the "and N more" line leave room for this many workload sections. */
export const MAX_TRIAGE_ITEMS = SLACK_LIMITS.blocksPerMessage - 3;

/** The Investigate button's value: the target and its cluster as JSON, read back by the bot. */
export function investigateValue(target: Target, cluster: string): string {
  return JSON.stringify({ kind: target.kind, name: target.name, namespace: target.namespace, cluster });
}

function itemBlock(item: TriageView['unhealthy'][number], cluster: string): KnownBlock {
  const icon = item.severity === 'critical' ? ':red_circle:' : ':large_orange_circle:';
  const ref = `${item.target.kind.toLowerCase()}/${item.target.name}`;
  const block = section(
    `${icon} \`${escapeMrkdwn(ref)}\` ${escapeMrkdwn(item.ready)} ready — *${escapeMrkdwn(item.category)}*: ${escapeMrkdwn(truncateText(item.line, 200))}`,
  );
  block.accessory = button({
    actionId: INVESTIGATE_ACTION,
    text: 'Investigate',
    value: investigateValue(item.target, cluster),
  });
  return block;
}

export function buildTriageMessage(view: TriageView): SlackMessage {
  const ns = escapeMrkdwn(view.namespace);
  const on = `on cluster \`${escapeMrkdwn(view.cluster)}\``;
  const who = mention(view.requestedBy);
  const calls = `${view.apiCalls} API calls, no logs read; requested by ${who}.`;
  if (view.unhealthy.length === 0) {
    const text = `:white_check_mark: \`${ns}\` ${on}: all ${view.workloads} workloads healthy.`;
    return message(text, [section(text), context(calls)]);
  }
  const count = `${view.unhealthy.length} of ${view.workloads} workloads unhealthy`;
  const blocks: KnownBlock[] = [
    header(`Triage of ${view.namespace} on ${view.cluster}: ${count}`),
    context(`Most severe first. *Investigate* starts a full investigation in its own thread. ${calls}`),
  ];
  // Within the block count and Slack's total text budget, with room for the "and N more" line.
  let shown = 0;
  for (const item of view.unhealthy.slice(0, MAX_TRIAGE_ITEMS)) {
    const block = itemBlock(item, view.cluster);
    if (blocksTextLength([...blocks, block]) > SLACK_LIMITS.blocksText - 400) break;
    blocks.push(block);
    shown += 1;
  }
  const rest = view.unhealthy.length - shown;
  if (rest > 0)
    blocks.push(
      context(
        `…and ${rest} more — run \`kube-autofix triage -n ${ns}\` against that cluster for the full list.`,
      ),
    );
  return message(`Triage of \`${ns}\` ${on}: ${count}`, blocks);
}
