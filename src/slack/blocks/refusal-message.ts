// Ephemeral refusals (not an approver, stale or already-decided proposal), with an offer to re-run.
import { escapeMrkdwn, safeMrkdwn } from '../slack-limits.js';
import { context, message, section, type KnownBlock, type SlackMessage } from './block-parts.js';

export interface RefusalOptions {
  /** The exact command that investigates again, e.g. `/autofix deployment/web -n shop`. */
  rerunCommand?: string;
}

/** `reason` is plain text (escaped here), e.g. "Only approvers can approve fixes." */
export function buildRefusalMessage(reason: string, opts: RefusalOptions = {}): SlackMessage {
  const blocks: KnownBlock[] = [section(`:no_entry: ${safeMrkdwn(reason, 2500)}`, 'autofix_refusal')];
  let fallback = escapeMrkdwn(reason);
  if (opts.rerunCommand) {
    const rerun = escapeMrkdwn(opts.rerunCommand.replace(/`/g, "'"));
    blocks.push(context(`To investigate again, run \`${rerun}\``));
    fallback += ` To investigate again, run ${rerun}`;
  }
  return message(fallback, blocks);
}
