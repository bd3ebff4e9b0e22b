// The rule engine: picks the root-cause finding and proposes a deterministic safe patch, or the exact human action.
import type { PolicyConfig } from '../../../config/config.js';
import type { Diagnosis, Evidence, Finding } from '../../../domain/index.js';
import { describeTarget } from '../../../domain/index.js';
import { desiredReplicas } from '../../analyzers/pod-template.js';
import { isHealthy } from '../../analyzers/registry.js';
import type { AttemptFeedback, DiagnosisEngine, DiagnosisInput } from '../engine.js';
import { canonicalJson } from '../../../domain/canonical-json.js';
import { isCandidate, type Candidate, type FixResult } from './candidate.js';
import { healthyConfidence, scoreConfidence } from './confidence.js';
import { humanAction } from './human-action.js';
import { memoryFix } from './memory-fix.js';
import { probePathFix } from './probe-path-fix.js';
import { probePortFix } from './probe-port-fix.js';
import { rankFindings } from './rank-findings.js';
import { rollbackFix } from './rollback-fix.js';
import { startupBudgetFix } from './startup-budget-fix.js';

function categoryFix(primary: Finding, evidence: Evidence, policy: PolicyConfig): FixResult | null {
  if (primary.category === 'oom_killed') return memoryFix(primary, evidence, policy);
  if (primary.category === 'probe_failure')
    return (
      probePortFix(primary, evidence) ??
      probePathFix(primary, evidence) ??
      startupBudgetFix(primary, evidence)
    );
  return null;
}

/** Drops candidates whose exact patch an earlier iteration already tried, with a note saying why. */
function untried(
  candidates: Candidate[],
  attempts: AttemptFeedback[],
): { next: Candidate | null; notes: string[] } {
  const tried = new Map(
    attempts.flatMap((a) => (a.change ? [[canonicalJson(a.change.patch), a] as const] : [])),
  );
  const notes: string[] = [];
  for (const c of candidates) {
    const earlier = tried.get(canonicalJson(c.change.patch));
    if (!earlier) return { next: c, notes };
    notes.push(
      `Not proposing the ${c.kind} change again: iteration ${earlier.iteration} tried it and it failed (${earlier.errors.join('; ') || 'no detail'}).`,
    );
  }
  return { next: null, notes };
}

function healthyDiagnosis(evidence: Evidence, findings: Finding[]): Diagnosis {
  const desired = desiredReplicas(evidence.workload);
  const score = healthyConfidence(evidence, findings);
  const state =
    desired === 0
      ? 'it is scaled to zero'
      : `all ${desired} desired replicas are updated, ready and available`;
  return {
    category: 'healthy',
    rootCause: `No failure: ${state} and the controller has observed the latest generation.`,
    summary: `${describeTarget(evidence.target)} is healthy: ${state}.`,
    confidence: score.value,
    engine: 'rules',
    change: null,
    humanAction: null,
    notes: [
      score.explanation,
      ...findings.filter((f) => f.severity !== 'critical').map((f) => `Also noticed: ${f.message}`),
    ],
  };
}

function unrecognised(evidence: Evidence): string {
  const s = evidence.status;
  return `No analyzer recognised the failure: ${s.readyReplicas}/${desiredReplicas(evidence.workload)} replicas ready, ${s.updatedReplicas} updated.`;
}

export function diagnoseByRules(input: DiagnosisInput): Diagnosis {
  const { evidence, findings, previousAttempts, policy } = input;
  if (isHealthy(evidence, findings)) return healthyDiagnosis(evidence, findings);
  const ranked = rankFindings(findings.filter((f) => f.severity !== 'info'));
  const primary = ranked[0] ?? null;
  const rollback = rollbackFix(evidence, primary);
  const specific = primary ? categoryFix(primary, evidence, policy) : null;
  // A broken rollout is undone first: the old template is known to work, whatever the new one changed.
  const { next, notes: skipped } = untried([rollback, specific].filter(isCandidate), previousAttempts);
  const blocked = specific && !isCandidate(specific) ? specific : null;
  const action = next ? null : (blocked?.humanAction ?? humanAction(primary, evidence));
  // Only a rollback to a revision seen healthy correlates the failure with the rollout.
  const score = scoreConfidence(primary, findings, evidence, rollback !== null && !rollback.unverified);
  const cause = primary?.message ?? unrecognised(evidence);
  const outcome = next
    ? `Proposed change: ${next.change.summary.join('; ')}.`
    : `No safe automatic change: ${action}`;
  return {
    category: primary?.category ?? 'unknown',
    rootCause: next?.because ? `${cause} ${next.because}` : cause,
    summary: `${describeTarget(evidence.target)} is unhealthy: ${cause} ${outcome}`,
    confidence: score.value,
    engine: 'rules',
    change: next?.change ?? null,
    humanAction: action,
    notes: [
      score.explanation,
      ...(next?.notes ?? blocked?.notes ?? []),
      ...skipped,
      ...ranked.slice(1, 4).map((f) => `Also found (${f.severity}): ${f.message}`),
      ...evidence.gaps.map((g) => `Not seen: ${g}`),
    ],
  };
}

export function createRulesEngine(): DiagnosisEngine {
  return {
    name: 'rules',
    model: 'rules',
    async diagnose(input, signal) {
      signal?.throwIfAborted();
      return { diagnosis: diagnoseByRules(input), usage: [], exchange: null };
    },
  };
}
