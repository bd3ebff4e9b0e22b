// A rollout that stopped: past progressDeadlineSeconds (the controller's ProgressDeadlineExceeded) or paused.
import type { Condition, Evidence, Finding } from '../../domain/index.js';
import type { Analyzer } from './analyzer.js';
import { getIn } from '../../domain/json-access.js';
import { makeFinding } from './make-finding.js';

function progressing(evidence: Evidence): Condition | undefined {
  return evidence.status.conditions.find((c) => c.type === 'Progressing');
}

function stalled(evidence: Evidence, c: Condition): Finding {
  const deadline = getIn(evidence.workload, ['spec', 'progressDeadlineSeconds']);
  const s = evidence.status;
  return makeFinding({
    analyzer: 'rolloutProgress',
    category: 'unknown',
    // The deadline says the rollout is stuck, not why: pod-level findings outrank it when there are any.
    severity: 'warning',
    message: `The rollout is stuck: it made no progress for progressDeadlineSeconds (${String(deadline ?? 600)} s); ${s.updatedReplicas} of ${s.replicas} replicas updated, ${s.availableReplicas} available.`,
    container: null,
    facts: {
      rollout: 'progress_deadline_exceeded',
      progressDeadlineSeconds: typeof deadline === 'number' ? deadline : null,
      updatedReplicas: s.updatedReplicas,
      availableReplicas: s.availableReplicas,
    },
    evidence: [`Progressing=False ${c.reason}: ${c.message ?? ''}`],
    signal: 'explicit',
    sources: ['status'],
  });
}

function paused(evidence: Evidence, c: Condition | undefined): Finding {
  const s = evidence.status;
  return makeFinding({
    analyzer: 'rolloutProgress',
    category: 'unknown',
    severity: 'warning',
    message: `The rollout is paused (spec.paused: true): template changes are not rolled out; ${s.updatedReplicas} of ${s.replicas} replicas run the current template.`,
    container: null,
    facts: { rollout: 'paused', updatedReplicas: s.updatedReplicas, availableReplicas: s.availableReplicas },
    evidence: [
      'spec.paused: true',
      c?.reason === 'DeploymentPaused' ? `Progressing ${c.reason}: ${c.message ?? ''}` : null,
    ],
    signal: 'explicit',
    sources: ['status'],
  });
}

export const rolloutProgress: Analyzer = {
  name: 'rolloutProgress',
  category: 'unknown',
  analyze(evidence) {
    const c = progressing(evidence);
    if (getIn(evidence.workload, ['spec', 'paused']) === true) return [paused(evidence, c)];
    if (c?.status === 'False' && c.reason === 'ProgressDeadlineExceeded') return [stalled(evidence, c)];
    return [];
  },
};
