// A fix the rule engine can propose (or why it cannot): the shared shape of rollback, memory and probe fixes.
import type { Change } from '../../../domain/index.js';

export type FixKind = 'rollback' | 'memory' | 'probe_port' | 'probe_path' | 'startup_budget';

export interface Candidate {
  kind: FixKind;
  change: Change;
  /** Extra sentences for the diagnosis notes (caps applied, follow-ups). */
  notes: string[];
  /** A sentence appended to the root cause when this fix is chosen (e.g. which revision broke it). */
  because?: string;
  /** A rollback whose target revision's health the cluster no longer shows (lower confidence). */
  unverified?: true;
}

/** A fix that was considered but is not safe or possible; `humanAction` says what a person must do. */
export interface Blocked {
  kind: FixKind;
  change: null;
  humanAction: string;
  notes: string[];
}

export type FixResult = Candidate | Blocked;

export function isCandidate(r: FixResult | null): r is Candidate {
  return r !== null && r.change !== null;
}
