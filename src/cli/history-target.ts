// Which workload `history` lists: a workload as given (MLflow only), a pod or ReplicaSet through its owner on the cluster.
import { resolveTarget, workloadOf, type ResolvedTarget } from '../agent/collect/resolve-target.js';
import type { Config } from '../config/config.js';
import { AutofixError, isAutofixError, type TargetRef } from '../domain/index.js';
import { createKubeCluster } from '../k8s/kube-cluster.js';
import { assertNamespaceAllowed } from '../safety/namespace-allowlist.js';

/** The resolver's error, with what history needs said: it is kept per workload, which can be asked for directly. */
function forHistory(e: unknown, ref: TargetRef): unknown {
  if (!isAutofixError(e)) return e;
  const given = `${ref.kind.toLowerCase()}/${ref.name}`;
  const direct = `kube-autofix history deployment/<name> -n ${ref.namespace} (reads MLflow only)`;
  const hint = `${e.hint ? `${e.hint} ` : ''}History is kept per workload, and ${given} can be traced to its workload only while it exists on a reachable cluster. If you know the workload, ask for it directly: ${direct}.`;
  return new AutofixError(e.code, `Cannot find the workload ${given} belongs to: ${e.message}`, {
    hint,
    cause: e,
  });
}

/** Reads the cluster only for a pod or ReplicaSet, and only in an allowed namespace, as investigations do. */
export async function resolveHistoryTarget(
  ref: TargetRef,
  config: Pick<Config, 'kubeconfig' | 'namespaces'>,
): Promise<ResolvedTarget> {
  const workload = workloadOf(ref);
  if (workload) return { target: workload, via: null };
  try {
    assertNamespaceAllowed(ref.namespace, config.namespaces);
    const cluster = createKubeCluster({ kubeconfig: config.kubeconfig ?? undefined });
    return await resolveTarget(cluster, ref);
  } catch (e) {
    throw forHistory(e, ref);
  }
}
