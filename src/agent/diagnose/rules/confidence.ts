// The rule engine's confidence: explicit factors (signal directness, agreeing sources, rollout correlation, conflicts, gaps).
import type { Category, Evidence, Finding } from '../../../domain/index.js';
import { findingSignal, findingSources } from '../../analyzers/make-finding.js';
import { desiredReplicas } from '../../analyzers/pod-template.js';

/*
 * confidence = clamp(base + agreement + rollout − conflicts − gaps, 0.05, 0.95), where
 *   base       = 0.70 explicit reason (OOMKilled, ErrImagePull, Unschedulable, exceeded quota, missing ref)
 *                0.55 inferred from status (exit 137 without reason, exit 127)
 *                0.40 heuristic (a log line pattern, or a crash whose cause is unknown)
 *                0.30 no finding at all
 *   agreement  = +0.10 per independent observation source beyond the first (status, events, logs,
 *                references, quotas, nodes), at most +0.20 — the spec is what we compare, not an observation
 *   rollout    = +0.10 when the failure began with the current revision and an older one was ready
 *   conflicts  = −0.10 per other critical finding of a different category that is not a known symptom
 *                of the primary (e.g. probe failures of a crash-looping container), at most −0.20
 *   gaps       = −0.05 per evidence gap (RBAC, timeouts), at most −0.15
 */
const BASE = { explicit: 0.7, inferred: 0.55, heuristic: 0.4, none: 0.3 } as const;
const OBSERVATIONS = new Set(['status', 'events', 'logs', 'references', 'quotas', 'nodes']);

/** Categories whose findings on the same container follow from the key category, not compete with it. */
const SYMPTOMS: Partial<Record<Category, Category[]>> = {
  oom_killed: ['crash_loop', 'probe_failure'],
  crash_loop: ['probe_failure'],
  probe_failure: ['crash_loop'],
  missing_config: ['unschedulable', 'crash_loop'],
  image_pull: ['probe_failure'],
};

export interface ConfidenceScore {
  value: number;
  /** One line naming each factor, for the diagnosis notes. */
  explanation: string;
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const round = (x: number): number => Math.round(x * 100) / 100;

function conflicts(primary: Finding, findings: Finding[]): number {
  return findings.filter(
    (f) =>
      f !== primary &&
      f.severity === 'critical' &&
      f.category !== primary.category &&
      !(
        SYMPTOMS[primary.category]?.includes(f.category) &&
        (f.container === primary.container || f.container === null)
      ),
  ).length;
}

export function scoreConfidence(
  primary: Finding | null,
  findings: Finding[],
  evidence: Evidence,
  rolloutCorrelated: boolean,
): ConfidenceScore {
  const signal = primary ? (findingSignal(primary) ?? 'heuristic') : 'none';
  const unknownCause = primary?.facts.cause === 'unknown';
  const base = unknownCause ? BASE.heuristic : BASE[signal];
  const observed = primary ? findingSources(primary).filter((s) => OBSERVATIONS.has(s)).length : 0;
  const agreement = Math.min(0.2, 0.1 * Math.max(0, observed - 1));
  const rollout = rolloutCorrelated ? 0.1 : 0;
  const conflict = primary ? Math.min(0.2, 0.1 * conflicts(primary, findings)) : 0;
  const gaps = Math.min(0.15, 0.05 * evidence.gaps.length);
  const value = round(clamp(base + agreement + rollout - conflict - gaps, 0.05, 0.95));
  const explanation =
    `confidence ${value} = base ${base} (${unknownCause ? 'cause unknown' : `${signal} signal`}) + ${round(agreement)} (${observed} agreeing sources)` +
    ` + ${rollout} (rollout correlation) − ${round(conflict)} (conflicting findings) − ${round(gaps)} (${evidence.gaps.length} evidence gaps)`;
  return { value, explanation };
}

/*
 * Healthy confidence = clamp(0.95 − 0.10 per missing view (pods while replicas are desired, revision
 * history, workload conditions) − 0.05 per gap (≤ 0.15) − 0.05 per warning finding (≤ 0.10), 0.3, 0.95):
 * "healthy" is only as sure as what we could see.
 */
export function healthyConfidence(evidence: Evidence, findings: Finding[]): ConfidenceScore {
  const missing = [
    desiredReplicas(evidence.workload) > 0 && evidence.pods.length === 0 ? 'pods' : null,
    evidence.revisions.length === 0 ? 'revisions' : null,
    evidence.status.conditions.length === 0 ? 'conditions' : null,
  ].filter((x) => x !== null);
  const warnings = findings.filter((f) => f.severity === 'warning').length;
  const gaps = Math.min(0.15, 0.05 * evidence.gaps.length);
  const value = round(clamp(0.95 - 0.1 * missing.length - gaps - Math.min(0.1, 0.05 * warnings), 0.3, 0.95));
  const explanation = `confidence ${value} = 0.95 − ${round(0.1 * missing.length)} (not seen: ${missing.join(', ') || 'nothing'}) − ${round(gaps)} (${evidence.gaps.length} evidence gaps) − ${round(Math.min(0.1, 0.05 * warnings))} (${warnings} warnings)`;
  return { value, explanation };
}
