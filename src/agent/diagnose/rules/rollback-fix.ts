// Return to the last healthy revision's pod template when the current revision broke the workload.
import type { Evidence, Finding, RevisionSummary } from '../../../domain/index.js';
import { asArray, asRecord, deepEqual, getIn } from '../../../domain/json-access.js';
import { desiredReplicas } from '../../analyzers/pod-template.js';
import { currentRevision, podOfRevision } from '../../analyzers/select-pods.js';
import type { Candidate } from './candidate.js';
import { templateDiff } from './template-diff.js';
import { podTemplateReferences } from '../../collect/collect-references.js';

function progressDeadlineExceeded(evidence: Evidence): boolean {
  return evidence.status.conditions.some(
    (c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded',
  );
}

/** The failure began with the current revision when the primary finding's pod (if it names one) belongs to it. */
function failureOnCurrent(evidence: Evidence, current: RevisionSummary, primary: Finding | null): boolean {
  if (primary === null || primary.analyzer === 'rolloutProgress') return progressDeadlineExceeded(evidence);
  if (primary.severity !== 'critical') return false;
  const podName = primary.facts.pod;
  if (typeof podName !== 'string') return true;
  const pod = evidence.pods.find((p) => p.name === podName);
  return pod === undefined || podOfRevision(pod, current);
}

/** The newest older revision that had ready or available pods — "was healthy" as far as the API can tell. */
export function lastHealthyRevision(evidence: Evidence): RevisionSummary | null {
  const current = currentRevision(evidence);
  if (!current) return null;
  const older = evidence.revisions
    .filter(
      (r) => !r.current && r.revision < current.revision && (r.availableReplicas > 0 || r.readyReplicas > 0),
    )
    .sort((a, b) => b.revision - a.revision);
  return older[0] ?? null;
}

/**
 * A rollback only helps if the old template does not carry the same cause: the same unpullable image
 * on that container, or a reference to the same missing ConfigMap/Secret/PVC (deleted since, say).
 */
function oldTemplateHasCause(primary: Finding | null, template: unknown): boolean {
  if (primary === null) return false;
  const containers = asArray(getIn(template, ['spec', 'containers'])).concat(
    asArray(getIn(template, ['spec', 'initContainers'])),
  );
  if (primary.category === 'image_pull') {
    return containers.some(
      (c) => asRecord(c).name === primary.container && asRecord(c).image === primary.facts.image,
    );
  }
  if (primary.category === 'missing_config') {
    return podTemplateReferences(template).some(
      (r) => r.kind === primary.facts.kind && r.name === primary.facts.name,
    );
  }
  return false;
}

/**
 * The Recreate strategy scales the old ReplicaSet to 0 before the new pods start, so the cluster no longer
 * shows whether it was healthy: the revision that ran just before is the one `kubectl rollout undo` restores.
 */
function previousUnderRecreate(evidence: Evidence, current: RevisionSummary): RevisionSummary | null {
  if (getIn(evidence.workload, ['spec', 'strategy', 'type']) !== 'Recreate') return null;
  const older = evidence.revisions.filter((r) => !r.current && r.revision < current.revision);
  return older.sort((a, b) => b.revision - a.revision)[0] ?? null;
}

export function rollbackFix(evidence: Evidence, primary: Finding | null): Candidate | null {
  // Another Service is down or misnamed: changing this workload would hide the cause, not fix it.
  if (primary?.facts.cause === 'dependency_unreachable') return null;
  const current = currentRevision(evidence);
  if (!current || current.availableReplicas >= desiredReplicas(evidence.workload)) return null;
  if (!failureOnCurrent(evidence, current, primary)) return null;
  const verified = lastHealthyRevision(evidence);
  const target = verified ?? previousUnderRecreate(evidence, current);
  const liveTemplate = getIn(evidence.workload, ['spec', 'template']);
  if (!target || deepEqual(target.template, liveTemplate) || oldTemplateHasCause(primary, target.template))
    return null;
  const was = verified
    ? `${target.readyReplicas}/${target.replicas} pods ready`
    : 'the revision that ran before it; the Recreate strategy scaled it to 0, so its health is not recorded';
  return {
    kind: 'rollback',
    change: {
      summary: [
        `return the pod template to revision ${target.revision} (${target.name}, ${was}); revision ${current.revision} is failing`,
        ...templateDiff(liveTemplate, target.template),
      ],
      patch: [{ op: 'replace', path: '/spec/template', value: target.template }],
    },
    because: verified
      ? `It began with revision ${current.revision} (${current.name}); revision ${target.revision} (${target.name}) had ${was}.`
      : `It began with revision ${current.revision} (${current.name}), which replaced revision ${target.revision} (${target.name}).`,
    notes: [
      verified
        ? `Revision ${current.revision} (${current.name}) has ${current.availableReplicas} available pods while revision ${target.revision} had ${was}; rolling back restores the last known-good template. Fix the new template before rolling forward again.`
        : `Revision ${target.revision} (${target.name}) is the template that ran before revision ${current.revision}, but the cluster cannot show it was healthy (Recreate scales the old ReplicaSet to 0 first); check the change below before approving.`,
    ],
    ...(verified ? {} : { unverified: true as const }),
  };
}
