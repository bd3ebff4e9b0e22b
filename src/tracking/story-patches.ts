// What each step of an incident adds to its story, built from domain facts (one place per step, pure).
import { summarizeDiagnosis, type Diagnosis, type Proposal, type Validation } from '../domain/index.js';
import type { StoryDecision, StoryPatch } from './incident-story.js';

export interface InvestigationFacts {
  outcome: string;
  iterations: number;
  diagnosis: Diagnosis | null;
  proposal: Proposal | null;
  validation: Validation | null;
  /** The "seen before" line, when the workload failed the same way recently. */
  history: string | null;
}

export function investigationPatch(f: InvestigationFacts): StoryPatch {
  const d = f.diagnosis;
  return {
    outcome: f.outcome,
    iterations: f.iterations,
    history: f.history,
    diagnosis: d ? { ...summarizeDiagnosis(d), notes: d.notes } : null,
    change: f.proposal ? { sentences: f.proposal.changes, diff: f.proposal.diff } : null,
    validation: f.validation,
  };
}

export function decisionPatch(
  decision: StoryDecision['decision'],
  by: string | null,
  at: number = Date.now(),
): StoryPatch {
  return {
    decision: { decision, by, at: new Date(at).toISOString() },
    ...(decision === 'approved' ? {} : { outcome: decision }),
  };
}

export interface RolloutFacts {
  healthy: boolean;
  message: string;
  seconds: number;
  approvedBy?: string | null;
  decidedAt?: number | null;
}

/**
 * The rollout result (and, when the caller knows it, the approval that led to it). Time to healthy is
 * left to the merge, which counts it from the story's request time.
 */
export function rolloutPatch(f: RolloutFacts, now: number = Date.now()): StoryPatch {
  return {
    outcome: f.healthy ? 'fixed' : 'not_fixed',
    rollout: {
      healthy: f.healthy,
      message: f.message,
      seconds: f.seconds,
      timeToHealthySeconds: null,
      at: new Date(now).toISOString(),
    },
    ...(f.approvedBy ? decisionPatch('approved', f.approvedBy, f.decidedAt ?? now) : {}),
  };
}

export function rollbackPatch(
  by: string | null,
  healthy: boolean,
  message: string,
  now = Date.now(),
): StoryPatch {
  return {
    outcome: 'rolled_back',
    rollback: { by, healthy, message, at: new Date(now).toISOString() },
  };
}

/** The alert the incident began with has resolved (the story keeps the time; the alert's facts stay). */
export function alertResolvedPatch(resolvedAt: string): StoryPatch {
  return { request: { alert: { resolvedAt } } };
}
