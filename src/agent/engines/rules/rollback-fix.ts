// Return to the last healthy revision's pod template when the current revision broke the workload.
import type { Evidence, Finding, RevisionSummary } from '../../../domain/index.js';
import { asArray, asRecord, deepEqual, getIn } from '../../../domain/json-access.js';
import { desiredReplicas } from '../../analyzers/pod-template.js';
import { currentRevision, podOfRevision } from '../../analyzers/select-pods.js';
import type { Candidate } from './candidate.js';
import { templateDiff } from './template-diff.js';
import { podTemplateReferences } from '../../collect-references.js';

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

export function rollbackFix(evidence: Evidence, primary: Finding | null): Candidate | null {
  // Another Service is down or misnamed: changing this workload would hide the cause, not fix it.
  if (primary?.facts.cause === 'dependency_unreachable') return null;
  const current = currentRevision(evidence);
  if (!current || current.availableReplicas >= desiredReplicas(evidence.workload)) return null;
  if (!failureOnCurrent(evidence, current, primary)) return null;
  const healthy = lastHealthyRevision(evidence);
  const liveTemplate = getIn(evidence.workload, ['spec', 'template']);
  if (!healthy || deepEqual(healthy.template, liveTemplate) || oldTemplateHasCause(primary, healthy.template))
    return null;
  const ready = `${healthy.readyReplicas}/${healthy.replicas} pods ready`;
  return {
    kind: 'rollback',
    change: {
      summary: [
        `return the pod template to revision ${healthy.revision} (${healthy.name}, ${ready}); revision ${current.revision} is failing`,
        ...templateDiff(liveTemplate, healthy.template),
      ],
      patch: [{ op: 'replace', path: '/spec/template', value: healthy.template }],
    },
    because: `It began with revision ${current.revision} (${current.name}); revision ${healthy.revision} (${healthy.name}) had ${ready}.`,
    notes: [
      `Revision ${current.revision} (${current.name}) has ${current.availableReplicas} available pods while revision ${healthy.revision} had ${ready}; rolling back restores the last known-good template. Fix the new template before rolling forward again.`,
    ],
  };
}
