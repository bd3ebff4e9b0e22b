// The proposal: diagnosis, change, diff (safely truncated), validation, Approve/Reject, MLflow link, expiry.
import type { GitOpsAdvice, LlmSpend, Target, Validation } from '../../domain/index.js';
import { approverWords, type Approval } from '../../workflow/approval.js';
import { AUTOFIX_ACTIONS } from '../slack-payloads.js';
import {
  BULLET_ITEM_MAX,
  SLACK_LIMITS,
  blocksTextLength,
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
import { llmUsageText } from './llm-usage-text.js';

export interface ProposalMessageInput {
  target: Target;
  /** The cluster the target lives on (and the change would be applied on). */
  cluster?: string;
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
  /** Distinct approvers needed (two-person rule: 2) and those recorded so far. */
  approvalsNeeded?: number;
  approvals?: readonly Pick<Approval, 'by' | 'identity'>[];
  /** The investigation's LLM tokens and cost, in the footer; null/absent for the rule engine alone. */
  llm?: LlmSpend | null;
}

/** Diff sections shown once a proposal is decided (the live proposal shows the whole diff or no Approve). */
const MAX_DIFF_SECTIONS = 3;

const mark = (ok: boolean): string => (ok ? ':white_check_mark:' : ':x:');

function validationText(v: Validation): string {
  const parts = [
    `${mark(v.schemaOk)} schema`,
    `${mark(v.policy.ok)} safety policy`,
    v.dryRun.deferred
      ? ':hourglass_flowing_sand: server dry-run at apply, as the approver'
      : `${mark(v.dryRun.ok)} server dry-run`,
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

/** The policy's flags, each whole (never truncated: the policy refuses values too long to show). */
function flagBlocks(flags: readonly string[]): KnownBlock[] {
  if (flags.length === 0) return [];
  return [
    section(
      `:rotating_light: *Flagged for you to read — ${flags.length} change(s) to what runs, a guard, or where traffic goes. Read them in full before approving.*`,
    ),
    ...flags.flatMap((f) => fullCodeBlocks(f).map((b) => section(b))),
  ];
}

/** Everything but the buttons: what approvers judge, also shown once the proposal is decided. */
export function proposalBlocks(
  input: ProposalMessageInput,
  maxDiffSections = MAX_DIFF_SECTIONS,
): KnownBlock[] {
  const changes = changeList(input.changes);
  return [
    header(`Proposed fix: ${targetPlain(input.target)}${input.cluster ? ` on ${input.cluster}` : ''}`),
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

/** The footer: MLflow run, proposal id, (unless decided) the expiry, and the LLM's tokens and cost. */
export function proposalFooter(
  input: ProposalMessageInput,
  expiryWord: 'Expires' | 'Expired' | null = 'Expires',
): KnownBlock {
  const expiry = expiryWord ? `  ·  ${expiryWord} ${slackDate(input.expiresAt)}` : '';
  return context(
    `${mlflowLink(input.runUrl)}${expiry}`,
    `proposal \`${escapeMrkdwn(input.proposalId.slice(0, 80))}\``,
    llmUsageText(input.llm),
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
    ...approvalBlocks(input),
    approvable
      ? actions('autofix_proposal_actions', approve, reject)
      : actions('autofix_proposal_actions', reject),
    ...feedbackBlocks(input.feedbackRunId),
    proposalFooter(input),
  ];
}

/** Two-person rule: how many approvers it needs, and who approved so far. */
function approvalBlocks(input: ProposalMessageInput): KnownBlock[] {
  const needed = input.approvalsNeeded ?? 1;
  const done = input.approvals ?? [];
  if (needed < 2) return [];
  const why = input.validation.flags.length > 0 ? 'a flagged change' : 'every change';
  const so =
    done.length > 0
      ? ` — *${done.length} of ${needed} approvals*: ${done.map(approverWords).join(', ')}`
      : '';
  return [
    context(`:busts_in_silhouette: Needs ${needed} distinct approvers (${why}, AUTOFIX_TWO_PERSON)${so}.`),
  ];
}

/** The change sentences as a bulleted list; cut when they do not all fit whole. */
function changeList(changes: readonly string[]): string {
  return changes.length > 0 ? bulletList(changes, SLACK_LIMITS.sectionText - 20) : '_No change sentences._';
}

/** Every change sentence whole in the list: none cut, none left for "… and N more". */
function changesWhole(changes: readonly string[]): boolean {
  const list = changeList(changes);
  return (
    changes.every((c) => safeMrkdwn(c, BULLET_ITEM_MAX) === safeMrkdwn(c, Number.MAX_SAFE_INTEGER)) &&
    list.split('\n').length === Math.max(changes.length, 1) &&
    !/\n… and \d+ more$/.test(list)
  );
}

/** The message with the whole diff and Approve; null when it does not fit Slack's limits whole. */
function wholeMessage(input: ProposalMessageInput): KnownBlock[] | null {
  const blocks = [...proposalBlocks(input, diffSections(input.diff).length), ...tailBlocks(input, true)];
  const fits =
    blocks.length <= SLACK_LIMITS.blocksPerMessage && blocksTextLength(blocks) <= SLACK_LIMITS.blocksText;
  return fits && changesWhole(input.changes) ? blocks : null;
}

/**
 * Whether every diff line, flag, change sentence and the patch to commit fit one message beside the
 * buttons (blocks and total text): only then may the change be approved in Slack.
 */
export function proposalShowsWhole(input: ProposalMessageInput): boolean {
  return wholeMessage(input) !== null;
}

/**
 * A change too long to show whole gets no Approve button (the worker, and the bot at the click, refuse
 * such approvals too): what an approver judges must be every byte that would be sent.
 */
export function buildProposalMessage(input: ProposalMessageInput): SlackMessage {
  const whole = wholeMessage(input);
  if (whole) return message(`${proposalFallback(input)} — approve or reject in Slack.`, whole);
  const tail = tailBlocks(input, false);
  const t = input.target;
  const notice = section(
    `:warning: *Too long to review here:* this change does not fit one Slack message whole, so it cannot be approved in Slack. Review and apply it with \`kube-autofix fix ${t.kind.toLowerCase()}/${t.name} -n ${t.namespace}\`, or reject it.`,
  );
  // As much of the diff as the limits allow, then as much of the rest; the notice and the buttons always fit.
  const fallback = `${proposalFallback(input)} — too long to approve in Slack.`;
  const room = SLACK_LIMITS.blocksPerMessage - tail.length - 1;
  const fits = (content: KnownBlock[]) =>
    blocksTextLength([...content, notice, ...tail]) <= SLACK_LIMITS.blocksText;
  for (let sections = MAX_DIFF_SECTIONS; sections > 0; sections -= 1) {
    const content = proposalBlocks(input, sections).slice(0, room);
    if (fits(content)) return message(fallback, [...content, notice, ...tail]);
  }
  const content = proposalBlocks(input, 0).slice(0, room);
  while (content.length > 1 && !fits(content)) content.pop();
  return message(fallback, [...content, notice, ...tail]);
}
