// Human actions for situations beyond one container: Pending volume claims, stalled rollouts, unreachable dependencies.
import type { Evidence, Fact } from '../../../domain/index.js';

type Facts = Record<string, Fact>;
const s = (v: Fact | undefined): string => (v === null || v === undefined ? '?' : String(v));

/** What to do about a PersistentVolumeClaim that stays Pending, by the PV controller's reason. */
export function claimAction(f: Facts): string {
  const claim = `PersistentVolumeClaim \`${s(f.claim)}\` in namespace \`${s(f.namespace)}\``;
  switch (f.claimProblem) {
    case 'no_storage_class':
      return `Set spec.storageClassName on ${claim} to an existing StorageClass (kubectl get storageclass), mark one StorageClass as the default, or create a matching PersistentVolume; a claim's class cannot be changed in place, so recreate the claim.`;
    case 'unknown_storage_class':
      return `StorageClass \`${s(f.storageClass)}\` does not exist: create it, or recreate ${claim} with an existing class (kubectl get storageclass).`;
    case 'no_provisioner':
      return `Install or repair the volume provisioner of StorageClass \`${s(f.storageClass)}\` (its CSI driver or external provisioner), or create a PersistentVolume that matches ${claim}.`;
    case 'waiting_for_consumer':
      return `Fix why the pods cannot be scheduled first: ${claim} binds only once a pod is placed on a node.`;
    default:
      return `Find out why ${claim} stays Pending (kubectl describe pvc ${s(f.claim)} -n ${s(f.namespace)}) and bind it to a volume.`;
  }
}

/** Pods refused at creation, stalled or paused rollouts, and Services without endpoints. */
export function situationAction(f: Facts, _c: string, e: Evidence): string {
  const t = e.target;
  const ref = `${t.kind.toLowerCase()}/${t.name} -n ${t.namespace}`;
  if (f.admission === 'pod_security')
    return `Make the pod template meet PodSecurity \`${s(f.level)}\` (${s(f.violations)}), or, if the workload truly needs more, change the namespace's \`pod-security.kubernetes.io/enforce\` label; kube-autofix never relaxes pod security.`;
  if (f.admission === 'webhook')
    return `Change the pod template to satisfy the policy of admission webhook \`${s(f.webhook)}\`${f.reason ? ` ("${s(f.reason)}")` : ''}, or ask its owners for an exception.`;
  if (f.admission === 'other')
    return `The API server refuses the pods (\`kubectl describe replicaset\` of ${ref} shows FailedCreate): fix the pod template or the object it refers to.`;
  if (f.rollout === 'paused')
    return `Resume the rollout if the paused change is meant to ship (\`kubectl rollout resume ${ref}\`), or undo the template change.`;
  if (f.rollout === 'progress_deadline_exceeded')
    return `Find why the new pods never become available (\`kubectl describe ${ref}\` and its newest ReplicaSet's pods); the controller stopped waiting after progressDeadlineSeconds.`;
  if (typeof f.service === 'string')
    return `Make the pods behind Service \`${f.service}\` ready (\`kubectl get endpointslices -l kubernetes.io/service-name=${f.service} -n ${t.namespace}\`).`;
  return `Inspect \`kubectl describe ${ref}\` and the pods' events: no analyzer recognised a safe fix.`;
}

/** A crash caused by another Service: name it and its endpoints; the fix is on that side, not in this workload. */
export function dependencyAction(f: Facts, c: string): string {
  const dep = typeof f.dependency === 'string' ? f.dependency.split('/') : null;
  if (!dep)
    return `Make ${s(f.endpoint)} reachable from container ${c} (is that service running, and is the address right?).`;
  const [ns, name] = dep as [string, string];
  if (f.dependencyExists === false)
    return `Container ${c} needs ${s(f.endpoint)}, but Service \`${name}\` does not exist in namespace \`${ns}\`: deploy it or fix the address container ${c} is configured with. No automatic change: the cause is outside this workload.`;
  if (f.dependencyReadyEndpoints === 0)
    return `Bring up the pods behind Service \`${name}\` in namespace \`${ns}\` (it has no ready endpoints); container ${c} will start once it can reach ${s(f.endpoint)}. No automatic change: the cause is outside this workload.`;
  return `Check that container ${c} can reach ${s(f.endpoint)} (Service \`${name}\` in \`${ns}\`: ports, NetworkPolicies, address). No automatic change: the cause is outside this workload.`;
}
