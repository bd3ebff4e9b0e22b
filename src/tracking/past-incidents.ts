// Earlier investigations of one workload as history reads them, and what they tell the next one (pure).
import { z } from 'zod';
import { Category } from '../domain/index.js';

export const PastIncident = z.object({
  runId: z.string(),
  runUrl: z.string().nullable(),
  /** Epoch ms the investigation started. */
  startedAt: z.number(),
  category: Category.nullable(),
  outcome: z.string().nullable(),
  rootCause: z.string().nullable(),
  /** The first change sentence of the proposal, e.g. "roll back to revision 4". */
  change: z.string().nullable(),
  approvedBy: z.string().nullable(),
  /** Every approval as the run recorded it ("U1 as sam@example.com (groups: sre); U2 as …"); null before any. */
  approvals: z.string().nullable(),
  /** The Kubernetes identity the change was made as ("worker" when the worker's own account). */
  appliedAs: z.string().nullable(),
  timeToHealthySeconds: z.number().nullable(),
  threadUrl: z.string().nullable(),
  engine: z.string().nullable(),
});
export type PastIncident = z.infer<typeof PastIncident>;

/** How far back "seen before" looks. */
export const SEEN_BEFORE_DAYS = 30;
/** How many outcomes go into an LLM prompt as hints. */
export const HINT_COUNT = 3;
const DAY_MS = 86_400_000;

/** Same workload, same category, within the window, newest first. */
export function sameFailure(past: readonly PastIncident[], category: string, now: number): PastIncident[] {
  return past
    .filter((p) => p.category === category && now - p.startedAt <= SEEN_BEFORE_DAYS * DAY_MS)
    .sort((a, b) => b.startedAt - a.startedAt);
}

function lastTime(p: PastIncident): string {
  const parts = [p.change ?? p.outcome ?? 'no change'];
  if (p.approvedBy) parts.push(`approved by @${p.approvedBy}`);
  if (p.timeToHealthySeconds !== null) parts.push(`healthy in ${Math.round(p.timeToHealthySeconds)} s`);
  else if (p.outcome) parts.push(`outcome ${p.outcome}`);
  return parts.join(', ');
}

/**
 * "seen 3 times in 30 days; last time: roll back to revision 4, approved by @U1, healthy in 40 s",
 * or null when this is the first time. Context for people, never a reason to skip a check.
 */
export function seenBeforeLine(past: readonly PastIncident[], category: string, now: number): string | null {
  const same = sameFailure(past, category, now);
  if (same.length === 0) return null;
  const times = same.length === 1 ? 'once' : `${same.length} times`;
  return `seen ${times} in ${SEEN_BEFORE_DAYS} days; last time: ${lastTime(same[0]!)}`;
}

/** The last few outcomes as compact lines for an LLM prompt (no user ids: they mean nothing to a model). */
export function historyHints(past: readonly PastIncident[], limit = HINT_COUNT): string[] {
  return [...past]
    .sort((a, b) => b.startedAt - a.startedAt)
    .slice(0, limit)
    .map((p) => {
      const when = new Date(p.startedAt).toISOString().slice(0, 16).replace('T', ' ');
      const cause = p.rootCause ? `: ${p.rootCause.replace(/\s+/g, ' ').slice(0, 200)}` : '';
      const change = p.change ? `; change: ${p.change.slice(0, 200)}` : '';
      return `${when} ${p.category ?? 'unknown'}${cause}${change}; outcome ${p.outcome ?? 'unknown'}`;
    });
}
