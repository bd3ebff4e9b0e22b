// The diagnosis as blocks (root cause, category, confidence, engine, notes), shared by proposals and outcomes.
import type { DiagnosisSummary } from '../../domain/index.js';
import { SLACK_LIMITS, bulletList, escapeMrkdwn, truncateText } from '../slack-limits.js';
import { confidenceLabel, context, plainSection, type KnownBlock } from './block-parts.js';

/** What a message shows of a diagnosis; `notes` is optional because the `--json` shape omits it. */
export type DiagnosisView = DiagnosisSummary & { notes?: readonly string[] };

/** "category `oom_killed` · confidence 0.86 — high · rules engine" */
export function diagnosisFacts(d: DiagnosisView): string {
  const engine = d.engine === 'llm' ? 'LLM engine' : 'rule engine';
  return `category \`${escapeMrkdwn(d.category)}\` · confidence ${confidenceLabel(d.confidence)} · ${engine}`;
}

export function diagnosisBlocks(d: DiagnosisView): KnownBlock[] {
  const half = Math.floor(SLACK_LIMITS.sectionText / 2) - 20;
  const summary =
    d.summary.trim() && d.summary.trim() !== d.rootCause.trim() ? [truncateText(d.summary, half)] : [];
  // The model's words are plain text: mrkdwn in them could fake a check mark, a diff or a mention.
  const blocks: KnownBlock[] = [
    plainSection([`Root cause: ${truncateText(d.rootCause, half)}`, ...summary], 'autofix_diagnosis'),
    context(diagnosisFacts(d)),
  ];
  const notes = (d.notes ?? []).filter((n) => n.trim().length > 0);
  if (notes.length > 0) blocks.push(context(`*Notes*\n${bulletList(notes, SLACK_LIMITS.sectionText - 10)}`));
  return blocks;
}
