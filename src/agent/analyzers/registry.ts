// The literal registry of analyzers, running them all, and the workload-level "is it healthy" verdict.
import type { Evidence, Finding } from '../../domain/index.js';
import type { Analyzer } from './analyzer.js';
import { crashLoop } from './crash-loop.js';
import { imagePull } from './image-pull.js';
import { missingConfig } from './missing-config.js';
import { oomKilled } from './oom-killed.js';
import { podCreation } from './pod-creation.js';
import { desiredReplicas } from './pod-template.js';
import { probeFailure } from './probe-failure.js';
import { quotaExceeded } from './quota-exceeded.js';
import { rolloutProgress } from './rollout-progress.js';
import { serviceEndpoints } from './service-endpoints.js';
import { unschedulable } from './unschedulable.js';
import { volumeClaims } from './volume-claims.js';

export const analyzers = {
  imagePull,
  crashLoop,
  oomKilled,
  probeFailure,
  // Before unschedulable: a Pending claim is the precise cause of "unbound PersistentVolumeClaims".
  volumeClaims,
  unschedulable,
  missingConfig,
  quotaExceeded,
  podCreation,
  rolloutProgress,
  serviceEndpoints,
} as const satisfies Record<string, Analyzer>;

function failureFinding(analyzer: Analyzer, error: unknown): Finding {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    analyzer: analyzer.name,
    category: 'unknown',
    severity: 'info',
    message: `Analyzer ${analyzer.name} failed and was skipped: ${reason}`,
    container: null,
    facts: { analyzerError: true, signal: null, sources: '' },
    evidence: [],
  };
}

/** Runs every analyzer; one that throws becomes an info finding instead of hiding the others' results. */
export function runAnalyzers(
  evidence: Evidence,
  list: readonly Analyzer[] = Object.values(analyzers),
): Finding[] {
  return list.flatMap((analyzer) => {
    try {
      return analyzer.analyze(evidence);
    } catch (error) {
      return [failureFinding(analyzer, error)];
    }
  });
}

/**
 * Healthy = the controller has seen the latest spec and every desired replica is updated, ready and
 * available, and no analyzer raised a critical finding (a ready pod can still be OOM-looping).
 */
export function isHealthy(evidence: Evidence, findings: Finding[]): boolean {
  const s = evidence.status;
  const desired = desiredReplicas(evidence.workload);
  const rolledOut =
    s.observedGeneration >= s.generation &&
    s.updatedReplicas >= desired &&
    s.readyReplicas >= desired &&
    s.availableReplicas >= desired;
  return rolledOut && !findings.some((f) => f.severity === 'critical');
}
