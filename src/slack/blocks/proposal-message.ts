// The proposal: diagnosis, change, diff (safely truncated), validation, Approve/Reject, MLflow link, expiry.
import type { GitOpsAdvice, Target, Validation } from '../../domain/index.js';
import { AUTOFIX_ACTIONS } from '../slack-payloads.js';
import {
  SLACK_LIMITS,
  bulletList,
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

/** Diff sections shown once a proposal is decided (the live proposal shows the whole diff or no Approve). */
const MAX_DIFF_SECTIONS = 3;

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

/** The diff as code sections, long lines split, nothing left out. */
function diffSections(diff: string): string[] {
  return diff.trim() === '' ? [] : fullCodeBlocks(diff);
}

function diffBlocks(diff: string, runUrl: string | null, maxSections: number): KnownBlock[] {
  const sections = diffSections(diff);
  if (sections.length === 0) return [section('_The diff is empty._')];
  const shown = sections.slice(0, maxSections);
  const blocks: KnownBlock[] = [section('*Diff*'), ...shown.map((b) => section(b))];
  if (shown.length < sections.length) {
    const where = runUrl ? `full diff in ${link(runUrl, 'MLflow')}` : 'full diff in the MLflow run artifacts';
    blocks.push(
      context(`:scissors: Diff cut: showing ${shown.length} of ${sections.length} sections — ${where}.`),
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
export function proposalBlocks(
  input: ProposalMessageInput,
  maxDiffSections = MAX_DIFF_SECTIONS,
): KnownBlock[] {
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
    ...diffBlocks(input.diff, input.runUrl, maxDiffSections),
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

/** The blocks after the proposal's content: buttons, feedback, footer. */
function tailBlocks(input: ProposalMessageInput, approvable: boolean): KnownBlock[] {
  const approve = button({
    actionId: AUTOFIX_ACTIONS.approve,
    text: 'Approve',
    value: input.proposalId,
    style: 'primary',
  });
  const reject = button({ actionId: AUTOFIX_ACTIONS.reject, text: 'Reject', value: input.proposalId });
  return [
    approvable
      ? actions('autofix_proposal_actions', approve, reject)
      : actions('autofix_proposal_actions', reject),
    ...feedbackBlocks(input.feedbackRunId),
    proposalFooter(input),
  ];
}

/** Whether every diff line and flag fits one message beside the buttons: only then may it be approved here. */
export function proposalShowsWhole(input: ProposalMessageInput): boolean {
  const sections = diffSections(input.diff).length;
  const blocks = proposalBlocks(input, sections).length + tailBlocks(input, true).length;
  return blocks <= SLACK_LIMITS.blocksPerMessage;
}

/**
 * A change too long to show whole gets no Approve button (the worker refuses such approvals too): what
 * an approver judges must be every byte that would be sent.
 */
export function buildProposalMessage(input: ProposalMessageInput): SlackMessage {
  if (proposalShowsWhole(input)) {
    const all = proposalBlocks(input, diffSections(input.diff).length);
    return message(`${proposalFallback(input)} — approve or reject in Slack.`, [
      ...all,
      ...tailBlocks(input, true),
    ]);
  }
  const tail = tailBlocks(input, false);
  const notice = section(
    `:warning: *Too long to review here:* this change does not fit one Slack message whole, so it cannot be approved in Slack. Review and apply it with \`kube-autofix fix ${input.target.kind.toLowerCase()}/${input.target.name} -n ${input.target.namespace}\`, or reject it.`,
  );
  const content = proposalBlocks(input);
  const room = SLACK_LIMITS.blocksPerMessage - tail.length - 1;
  return message(`${proposalFallback(input)} — too long to approve in Slack.`, [
    ...content.slice(0, room),
    notice,
    ...tail,
  ]);
}
