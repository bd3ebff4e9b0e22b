// The proposal: diagnosis, change, diff (safely truncated), validation, Approve/Reject, MLflow link, expiry.
import type { GitOpsAdvice, Target, Validation } from '../../domain/index.js';
import { AUTOFIX_ACTIONS } from '../slack-payloads.js';
import {
  SLACK_LIMITS,
  bulletList,
  codeBlocks,
  escapeMrkdwn,
  fullCodeBlocks,
  link,
  safeMrkdwn,
  slackDate,
} from '../slack-limits.js';
import {
  actions,
  button,
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
import { gitopsBlocks } from './gitops-blocks.js';
import { feedbackBlocks } from './feedback-blocks.js';

export interface ProposalMessageInput {
  target: Target;
  diagnosis: DiagnosisView;
  /** One sentence per changed field, computed from the diff (what the change really does). */
  changes: readonly string[];
  /** The engine's own summary of its change: shown only under that label, never as "the change". */
  engineExplanation: readonly string[];
  /** Unified diff of the workload before → after. */
  diff: string;
  validation: Validation;
  runUrl: string | null;
  /** Goes whole into the buttons' `value` (at most 2,000 characters). */
  proposalId: string;
  /** ISO time after which approving is refused. */
  expiresAt: string;
  /** Argo CD / Flux / Helm ownership and the patch to commit. */
  gitops?: GitOpsAdvice | null;
  /** The MLflow run the Helpful / Not helpful buttons record on; none without one. */
  feedbackRunId?: string | null;
}

/** How many code sections the diff may use (each up to 3,000 characters). */
export const MAX_DIFF_SECTIONS = 3;

const mark = (ok: boolean): string => (ok ? ':white_check_mark:' : ':x:');

function validationText(v: Validation): string {
  const parts = [
    `${mark(v.schemaOk)} schema`,
    `${mark(v.policy.ok)} safety policy`,
    `${mark(v.dryRun.ok)} server dry-run`,
  ];
  const lines = [`*Validated:* ${parts.join('  ·  ')}`];
  if (v.policy.violations.length > 0)
    lines.push(`Policy violations:\n${bulletList(v.policy.violations, 1500)}`);
  if (v.dryRun.message) lines.push(`Dry-run: ${safeMrkdwn(v.dryRun.message, 1000)}`);
  return lines.join('\n');
}

function mlflowLink(runUrl: string | null): string {
  return runUrl ? link(runUrl, 'MLflow run') : 'no MLflow run (tracking off)';
}

function diffBlocks(diff: string, runUrl: string | null): KnownBlock[] {
  const code = codeBlocks(diff, SLACK_LIMITS.sectionText, MAX_DIFF_SECTIONS);
  if (code.totalLines === 0) return [section('_The diff is empty._')];
  const blocks: KnownBlock[] = [section('*Diff*'), ...code.blocks.map((b) => section(b))];
  if (code.truncated) {
    const where = runUrl ? `full diff in ${link(runUrl, 'MLflow')}` : 'full diff in the MLflow run artifacts';
    blocks.push(
      context(
        `:scissors: Diff truncated: showing ${code.shownLines} of ${code.totalLines} lines — ${where}.`,
      ),
    );
  }
  return blocks;
}

/** New code to run, each value whole (never truncated: the policy refuses values too long to show). */
function flagBlocks(flags: readonly string[]): KnownBlock[] {
  if (flags.length === 0) return [];
  return [
    section(
      `:rotating_light: *New code to run — ${flags.length} value(s) no earlier revision ran. Read them in full before approving.*`,
    ),
    ...flags.flatMap((f) => fullCodeBlocks(f).map((b) => section(b))),
  ];
}

/** Everything but the buttons: what approvers judge, also shown once the proposal is decided. */
export function proposalBlocks(input: ProposalMessageInput): KnownBlock[] {
  const changes =
    input.changes.length > 0
      ? bulletList(input.changes, SLACK_LIMITS.sectionText - 20)
      : '_No change sentences._';
  return [
    header(`Proposed fix: ${targetPlain(input.target)}`),
    ...diagnosisBlocks(input.diagnosis),
    section(`*Change* (computed from the diff)\n${changes}`),
    ...(input.engineExplanation.length > 0
      ? [
          context(
            `Engine's explanation (its own words, not verified): ${safeMrkdwn(input.engineExplanation.join('; '), 1500)}`,
          ),
        ]
      : []),
    ...flagBlocks(input.validation.flags),
    ...diffBlocks(input.diff, input.runUrl),
    ...gitopsBlocks(input.gitops),
    section(validationText(input.validation)),
  ];
}

/** The footer: MLflow run, proposal id and (unless decided) the expiry. */
export function proposalFooter(
  input: ProposalMessageInput,
  expiryWord: 'Expires' | 'Expired' | null = 'Expires',
): KnownBlock {
  const expiry = expiryWord ? `  ·  ${expiryWord} ${slackDate(input.expiresAt)}` : '';
  return context(
    `${mlflowLink(input.runUrl)}${expiry}`,
    `proposal \`${escapeMrkdwn(input.proposalId.slice(0, 80))}\``,
  );
}

export function proposalFallback(input: ProposalMessageInput): string {
  return `Proposed fix for ${targetText(input.target)}: ${escapeMrkdwn(input.diagnosis.rootCause)}`;
}

export function buildProposalMessage(input: ProposalMessageInput): SlackMessage {
  const buttons = actions(
    'autofix_proposal_actions',
    button({ actionId: AUTOFIX_ACTIONS.approve, text: 'Approve', value: input.proposalId, style: 'primary' }),
    button({ actionId: AUTOFIX_ACTIONS.reject, text: 'Reject', value: input.proposalId }),
  );
  return message(`${proposalFallback(input)} — approve or reject in Slack.`, [
    ...proposalBlocks(input),
    buttons,
    ...feedbackBlocks(input.feedbackRunId),
    proposalFooter(input),
  ]);
}
