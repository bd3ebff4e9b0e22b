// One thread message edited as the worker progresses: the iteration and the latest steps, bounded.
import type { Target } from '../../domain/index.js';
import { SLACK_LIMITS, safeMrkdwn } from '../slack-limits.js';
import { context, message, section, targetMrkdwn, targetText, type SlackMessage } from './block-parts.js';

export interface ProgressInput {
  target: Target;
  /** 1-based. */
  iteration: number;
  maxIterations: number;
  /** Steps so far, oldest first: "collected 3 pods, 12 events", "analyzers found: oom_killed (app)", … */
  lines: readonly string[];
  /** True once the investigation stopped; the message then stops saying "working". */
  done?: boolean;
}

/** At most this many of the latest steps are shown; older ones are counted. */
export const MAX_PROGRESS_LINES = 15;
const MAX_LINE = 300;

/** The latest steps that fit in one section, oldest first, with a count of the ones left out. */
function stepsText(lines: readonly string[]): string {
  const budget = SLACK_LIMITS.sectionText - 60;
  const shown: string[] = [];
  let size = 0;
  for (let i = lines.length - 1; i >= 0 && shown.length < MAX_PROGRESS_LINES; i -= 1) {
    const line = `• ${safeMrkdwn(lines[i]!, MAX_LINE)}`;
    if (size + line.length + 1 > budget) break;
    shown.unshift(line);
    size += line.length + 1;
  }
  const hidden = lines.length - shown.length;
  return [...(hidden > 0 ? [`_… ${hidden} earlier step${hidden === 1 ? '' : 's'}_`] : []), ...shown].join(
    '\n',
  );
}

export function buildProgressMessage(input: ProgressInput): SlackMessage {
  const icon = input.done ? ':white_check_mark:' : ':hourglass_flowing_sand:';
  const state = input.done ? 'finished' : 'in progress';
  const title = `${icon} *Iteration ${input.iteration} of ${input.maxIterations}* ${state} — ${targetMrkdwn(input.target)}`;
  const steps = input.lines.length > 0 ? stepsText(input.lines) : '_Starting…_';
  const last = input.lines.at(-1);
  const fallback = `Iteration ${input.iteration}/${input.maxIterations} for ${targetText(input.target)}${last ? `: ${safeMrkdwn(last, MAX_LINE)}` : ''}`;
  return message(fallback, [
    section(title, 'autofix_progress_title'),
    section(steps, 'autofix_progress_steps'),
    ...(input.done ? [] : [context('This message updates as the investigation runs.')]),
  ]);
}
