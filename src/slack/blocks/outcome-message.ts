// The final message of an investigation that proposes nothing: healthy, no safe fix, or an error. No buttons.
import type { LlmSpend, Target } from '../../domain/index.js';
import { SLACK_LIMITS, bulletList, link, safeMrkdwn } from '../slack-limits.js';
import {
  context,
  header,
  message,
  section,
  targetPlain,
  targetText,
  type KnownBlock,
  type SlackMessage,
} from './block-parts.js';
import { diagnosisBlocks, type DiagnosisView } from './diagnosis-blocks.js';
import { feedbackBlocks } from './feedback-blocks.js';
import { llmUsageText } from './llm-usage-text.js';

export type FinalOutcome = 'healthy' | 'no_safe_fix' | 'error';

export interface OutcomeInput {
  target: Target;
  outcome: FinalOutcome;
  diagnosis: DiagnosisView | null;
  /** The exact thing a human must do when no safe automatic change exists. */
  humanAction: string | null;
  error: string | null;
  runUrl: string | null;
  /** Why candidate changes were refused (policy, dry-run), one line each. */
  attempts?: readonly string[];
  iterations?: number;
  /** The MLflow run the Helpful / Not helpful buttons record on; none without one. */
  feedbackRunId?: string | null;
  /** The investigation's LLM tokens and cost, in the footer; null/absent for the rule engine alone. */
  llm?: LlmSpend | null;
}

const HEADLINES: Record<FinalOutcome, { icon: string; title: string }> = {
  healthy: { icon: ':large_green_circle:', title: 'Healthy: nothing to fix' },
  no_safe_fix: { icon: ':warning:', title: 'No safe automatic fix' },
  error: { icon: ':x:', title: 'Investigation failed' },
};

function detailBlocks(input: OutcomeInput): KnownBlock[] {
  const half = Math.floor(SLACK_LIMITS.sectionText / 2);
  const blocks: KnownBlock[] = [];
  if (input.error) blocks.push(section(`*Error:* ${safeMrkdwn(input.error, half)}`));
  if (input.diagnosis && input.outcome !== 'healthy') blocks.push(...diagnosisBlocks(input.diagnosis));
  if (input.humanAction) blocks.push(section(`*What to do:* ${safeMrkdwn(input.humanAction, half)}`));
  if (input.attempts && input.attempts.length > 0) {
    blocks.push(
      section(
        `*Changes considered and refused*\n${bulletList(input.attempts, SLACK_LIMITS.sectionText - 40)}`,
      ),
    );
  }
  return blocks;
}

export function buildOutcomeMessage(input: OutcomeInput): SlackMessage {
  const head = HEADLINES[input.outcome];
  const run = input.runUrl ? link(input.runUrl, 'MLflow run') : 'no MLflow run (tracking off)';
  const iterations =
    input.iterations === undefined
      ? ''
      : `  ·  ${input.iterations} iteration${input.iterations === 1 ? '' : 's'}`;
  const reason = input.error ?? input.humanAction ?? input.diagnosis?.rootCause ?? '';
  const fallback = `${head.title} for ${targetText(input.target)}${reason ? `: ${safeMrkdwn(reason, 1000)}` : ''}`;
  return message(fallback, [
    header(`${head.title}: ${targetPlain(input.target)}`),
    section(`${head.icon} ${safeMrkdwn(head.title)}`, 'autofix_outcome'),
    ...detailBlocks(input),
    ...(input.outcome === 'no_safe_fix' ? feedbackBlocks(input.feedbackRunId) : []),
    context(`${run}${iterations}`, llmUsageText(input.llm)),
  ]);
}
