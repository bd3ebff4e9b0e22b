// Resolves `pod/<name>` and `replicaset/<name>` to the workload that owns them, and says so.
import type { KubeObject, Target, TargetRef } from '../../domain/index.js';
import { AutofixError, ErrorCode, WorkloadKind } from '../../domain/index.js';
import type { Cluster } from '../../k8s/cluster.js';
import { asRecord } from '../../domain/json-access.js';
import { arr } from './summarize.js';

export interface ResolvedTarget {
  target: Target;
  /** e.g. `pod/web-5d8c9f7b6d-x7k2p → replicaset/web-5d8c9f7b6d → deployment/web`; null for a workload. */
  via: string | null;
}

function controllerOf(obj: KubeObject): { kind: string; name: string } | null {
  const owner = arr(asRecord(obj.metadata).ownerReferences).find((o) => o.controller === true);
  return owner ? { kind: String(owner.kind), name: String(owner.name) } : null;
}

function notOwned(what: string, why: string): never {
  throw new AutofixError(
    ErrorCode.BadInput,
    `${what} ${why}, so there is no workload to investigate or to list the history of.`,
    {
      hint: 'Give the Deployment, StatefulSet or DaemonSet instead (kubectl get pod <name> -o jsonpath={.metadata.ownerReferences}).',
    },
  );
}

/** The target itself when it names a workload (no cluster needed); null for a pod or ReplicaSet. */
export function workloadOf(ref: TargetRef): Target | null {
  const direct = WorkloadKind.safeParse(ref.kind);
  return direct.success ? { ...ref, kind: direct.data } : null;
}

/** Two GETs at most (pod → ReplicaSet → Deployment); a bare pod or a ReplicaSet without a Deployment is refused. */
export async function resolveTarget(cluster: Cluster, ref: TargetRef): Promise<ResolvedTarget> {
  const direct = workloadOf(ref);
  if (direct) return { target: direct, via: null };
  const ns = ref.namespace;
  const chain = [`${ref.kind.toLowerCase()}/${ref.name}`];
  let obj = await cluster.get(ref.kind === 'Pod' ? 'pods' : 'replicasets', ns, ref.name);
  if (!obj)
    throw new AutofixError(
      ErrorCode.TargetNotFound,
      `${ref.kind} "${ref.name}" was not found in namespace "${ns}".`,
      {
        hint: 'Check the name and namespace.',
      },
    );
  for (let hop = 0; hop < 2; hop++) {
    const owner = controllerOf(obj);
    if (!owner) return notOwned(chain.join(' → '), 'has no controlling owner');
    chain.push(`${owner.kind.toLowerCase()}/${owner.name}`);
    const kind = WorkloadKind.safeParse(owner.kind);
    if (kind.success)
      return { target: { kind: kind.data, name: owner.name, namespace: ns }, via: chain.join(' → ') };
    if (owner.kind !== 'ReplicaSet' || hop > 0)
      return notOwned(chain.join(' → '), `is owned by a ${owner.kind}`);
    const rs = await cluster.get('replicasets', ns, owner.name);
    if (!rs) return notOwned(chain.join(' → '), 'belongs to a ReplicaSet that no longer exists');
    obj = rs;
  }
  return notOwned(chain.join(' → '), 'is not owned by a workload');
}
