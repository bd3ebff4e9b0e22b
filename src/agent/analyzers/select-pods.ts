// Which pods analyzers look at: never pods being deleted, and the current revision's pods when it has any.
import type { Evidence, PodSummary, RevisionSummary } from '../../domain/index.js';

export function currentRevision(evidence: Evidence): RevisionSummary | undefined {
  return evidence.revisions.find((r) => r.current);
}

/** Whether a pod was created from the given revision (ReplicaSet owner, template hash or revision hash). */
export function podOfRevision(pod: PodSummary, revision: RevisionSummary): boolean {
  if (pod.owner === revision.name) return true;
  const hash = pod.podTemplateHash;
  return hash !== null && (hash === revision.name || revision.name.endsWith(`-${hash}`));
}

/**
 * Live pods, preferring the current revision: during a rollout the old revision's pods are healthy
 * and must not hide (or be mistaken for) what is wrong with the new template.
 */
export function selectPods(evidence: Evidence): PodSummary[] {
  const live = evidence.pods.filter((p) => !p.deleting);
  const current = currentRevision(evidence);
  if (!current) return live;
  const ofCurrent = live.filter((p) => podOfRevision(p, current));
  return ofCurrent.length > 0 ? ofCurrent : live;
}
