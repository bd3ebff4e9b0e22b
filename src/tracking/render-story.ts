// The incident story as the run's Markdown description (`mlflow.note.content`) and as filterable run tags.
import { confidenceLabel } from '../domain/index.js';
import type { IncidentStory } from './incident-story.js';
import { MLFLOW_LIMITS, truncateValue } from './split-log-batch.js';

/** The run description MLflow shows on the run page. */
export const NOTE_TAG = 'mlflow.note.content';
/** The story record itself, so a later process (apply, rollback, the bot) can extend it. */
export const STORY_TAG = 'autofix.story';

/** One line of free text: no line breaks, no table pipes breaking the Markdown. */
function inline(text: string, max = 500): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A fenced block that its content cannot close early. */
function fence(lang: string, body: string): string {
  return ['```' + lang, body.replace(/```/g, "'''"), '```'].join('\n');
}

/** Inline code of free text: one line, no backtick to close it early. */
const code = (text: string, max: number): string => `\`${inline(text, max).replace(/`/g, "'")}\``;

const seconds = (s: number): string => `${s.toFixed(1)} s`;
const who = (id: string | null): string => (id ? `\`${inline(id, 80)}\`` : 'nobody');

function requestPart(s: IncidentStory): string[] {
  const r = s.request;
  const where = r.channel ? `channel \`${inline(r.channel, 80)}\`` : 'the command line';
  const a = r.alert;
  const asked = a
    ? `- **Began with an alert:** ${code(a.alertname, 200)}${a.severity ? ` (${inline(a.severity, 50)})` : ''}, firing since ${inline(a.startsAt, 64)}; posted in ${where} at ${r.at}`
    : `- **Asked by** ${r.requestedBy ? who(r.requestedBy) : 'the CLI'} in ${where} at ${r.at}`;
  const lines = [asked];
  if (a) lines.push(`- **Alert:** fingerprint ${code(a.fingerprint, 64)}, group ${code(a.groupKey, 300)}`);
  if (a?.resolvedAt) lines.push(`- **Alert resolved** at ${inline(a.resolvedAt, 64)}`);
  if (r.threadUrl) lines.push(`- **Thread:** [Slack thread](${r.threadUrl})`);
  if (r.sessionId) lines.push(`- **Session:** \`${inline(r.sessionId, 200)}\``);
  if (s.history) lines.push(`- **Seen before:** ${inline(s.history)}`);
  return lines;
}

function diagnosisPart(s: IncidentStory): string[] {
  const d = s.diagnosis;
  if (!d) return ['_No diagnosis yet._'];
  const lines = [
    `- **Category:** \`${d.category}\``,
    `- **Root cause:** ${inline(d.rootCause, 1000)}`,
    `- **Confidence:** ${confidenceLabel(d.confidence)} (${d.engine === 'llm' ? 'LLM' : 'rule'} engine)`,
  ];
  if (d.summary.trim() && d.summary.trim() !== d.rootCause.trim())
    lines.push(`- **Summary:** ${inline(d.summary, 1000)}`);
  for (const note of d.notes.slice(0, 6)) lines.push(`  - ${inline(note, 400)}`);
  return lines;
}

function changePart(s: IncidentStory): string[] {
  if (!s.change) return [];
  const sentences = s.change.sentences.map((c) => `- ${inline(c, 400)}`);
  return ['## Change', ...sentences, '', fence('diff', s.change.diff)];
}

function validationPart(s: IncidentStory): string[] {
  const v = s.validation;
  if (!v) return [];
  const mark = (ok: boolean): string => (ok ? 'passed' : 'FAILED');
  const lines = [
    '## Validation',
    `- schema ${mark(v.schemaOk)} · safety policy ${mark(v.policy.ok)} · server dry-run ${v.dryRun.deferred ? 'deferred to the apply' : mark(v.dryRun.ok)}`,
  ];
  for (const violation of v.policy.violations.slice(0, 5)) lines.push(`  - ${inline(violation, 300)}`);
  if (v.dryRun.message) lines.push(`  - dry-run: ${inline(v.dryRun.message, 300)}`);
  for (const flag of v.flags.slice(0, 5)) lines.push(`  - flagged: ${inline(flag, 300)}`);
  return lines;
}

function decisionPart(s: IncidentStory): string[] {
  const lines: string[] = [];
  if (s.decision) {
    const by = s.decision.by ? ` by ${who(s.decision.by)}` : '';
    lines.push('## Decision', `- **${s.decision.decision}**${by} at ${s.decision.at}`, '');
  }
  if (s.rollout) {
    const r = s.rollout;
    const healed =
      r.timeToHealthySeconds === null ? '' : ` · time to healthy ${seconds(r.timeToHealthySeconds)}`;
    lines.push(
      '## Rollout',
      `- **${r.healthy ? 'healthy' : 'NOT healthy'}** after ${seconds(r.seconds)}${healed} (${r.at})`,
      `- ${inline(r.message, 500)}`,
      '',
    );
  }
  if (s.rollback) {
    const b = s.rollback;
    lines.push(
      '## Rollback',
      `- requested by ${who(b.by)} at ${b.at}: ${b.healthy ? 'healthy' : 'NOT healthy'} — ${inline(b.message, 500)}`,
    );
  }
  return lines;
}

/** Markdown within MLflow's tag limit; the diff is what gives way first. */
export function renderStory(s: IncidentStory): string {
  const t = s.target;
  const outcome = s.outcome ? ` — ${s.outcome}` : '';
  const parts = [
    `# ${t.kind.toLowerCase()}/${inline(t.name, 200)} in ${inline(t.namespace, 100)}${outcome}`,
    '',
    ...requestPart(s),
    '',
    '## Diagnosis',
    ...diagnosisPart(s),
    '',
    ...changePart(s),
    '',
    ...validationPart(s),
    '',
    ...decisionPart(s),
  ];
  return truncateValue(parts.join('\n').replace(/\n{3,}/g, '\n\n'), MLFLOW_LIMITS.tagValueLength);
}

/** The facts worth filtering runs by, as `autofix.*` tags. */
export function storyTags(s: IncidentStory): Record<string, string> {
  const tags: Record<string, string> = {};
  const set = (k: string, v: string | number | boolean | null | undefined): void => {
    if (v !== null && v !== undefined && v !== '') tags[`autofix.${k}`] = String(v);
  };
  set('trigger', s.request.alert ? 'alert' : s.request.channel ? 'slack' : 'cli');
  set('requested_by', s.request.requestedBy);
  const alert = s.request.alert;
  if (alert) {
    set('alert.name', inline(alert.alertname, 250));
    set('alert.severity', alert.severity);
    set('alert.fingerprint', alert.fingerprint);
    set('alert.group_key', inline(alert.groupKey, 1000));
    set('alert.starts_at', alert.startsAt);
    set('alert.resolved_at', alert.resolvedAt);
  }
  set('channel', s.request.channel);
  set('thread_url', s.request.threadUrl);
  set('session', s.request.sessionId);
  set('outcome', s.outcome);
  set('category', s.diagnosis?.category);
  set('root_cause', s.diagnosis ? inline(s.diagnosis.rootCause, 250) : null);
  set('confidence', s.diagnosis?.confidence);
  set('decision', s.decision?.decision);
  if (s.decision?.decision === 'approved') set('approved_by', s.decision.by);
  if (s.decision?.decision === 'rejected') set('rejected_by', s.decision.by);
  set('decided_at', s.decision?.at);
  set('rollout_healthy', s.rollout?.healthy);
  set('time_to_healthy_seconds', s.rollout?.timeToHealthySeconds?.toFixed(1));
  set('rolled_back_by', s.rollback?.by);
  return tags;
}

/** The record as one tag value; an oversized one gives up its diff, then its notes, never its facts. */
export function storyJson(s: IncidentStory): string {
  const full = JSON.stringify(s);
  if (full.length <= MLFLOW_LIMITS.tagValueLength) return full;
  const noDiff = { ...s, change: s.change ? { ...s.change, diff: '' } : null };
  const lean = JSON.stringify(noDiff);
  if (lean.length <= MLFLOW_LIMITS.tagValueLength) return lean;
  return JSON.stringify({ ...noDiff, diagnosis: s.diagnosis ? { ...s.diagnosis, notes: [] } : null });
}

/** Every tag a story update writes: the description, the record and the filterable facts. */
export function storyRunTags(s: IncidentStory): Record<string, string> {
  return { ...storyTags(s), [NOTE_TAG]: renderStory(s), [STORY_TAG]: storyJson(s) };
}
