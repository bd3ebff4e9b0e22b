// Watches a rollout that an interrupted apply started (the agent's own watch lives inside applyProposal).
import type { ApplyOutcome } from '../../agent/apply-proposal.js';
import type { KubeObject, Target } from '../../domain/index.js';
import type { Cluster } from '../../k8s/cluster.js';
import { rolloutStatus } from '../../k8s/rollout-status.js';

export async function watchRollout(
  cluster: Cluster,
  target: Target,
  generation: number,
  timeoutSeconds: number,
  pollMs = 1000,
): Promise<ApplyOutcome> {
  const t0 = performance.now();
  const deadline = Date.now() + timeoutSeconds * 1000;
  let message = 'waiting for the rollout';
  for (;;) {
    const obj = await cluster.getWorkload(target);
    if (!obj)
      return {
        applied: true,
        rolloutHealthy: false,
        seconds: (performance.now() - t0) / 1000,
        message: 'the workload disappeared during the rollout',
      };
    const s = rolloutStatus(obj, generation);
    message = s.message;
    if (s.done || s.failed)
      return { applied: true, rolloutHealthy: s.done, seconds: (performance.now() - t0) / 1000, message };
    if (Date.now() >= deadline)
      return {
        applied: true,
        rolloutHealthy: false,
        seconds: (performance.now() - t0) / 1000,
        message: `not healthy after ${timeoutSeconds}s: ${message}`,
      };
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

interface ManagedField {
  manager?: string;
  time?: string;
}

/**
 * True when the live object shows exactly one spec change since `baseGeneration`, made by our field
 * manager at or after `sinceMs`: the interrupted attempt's patch landed.
 */
export function patchLanded(
  live: KubeObject,
  baseGeneration: number,
  sinceMs: number,
  manager = 'kube-autofix',
): boolean {
  const meta = (live.metadata ?? {}) as { generation?: number; managedFields?: ManagedField[] };
  if (Number(meta.generation ?? 0) !== baseGeneration + 1) return false;
  // managedFields times have second precision.
  const since = Math.floor(sinceMs / 1000) * 1000;
  return (meta.managedFields ?? []).some(
    (f) => f.manager === manager && f.time !== undefined && Date.parse(f.time) >= since,
  );
}
