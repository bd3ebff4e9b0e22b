// The one rollout watch: poll the workload until the rollout of `generation` is done, failed or timed out.
import type { KubeObject, Target } from '../domain/index.js';
import { ErrorCode, describeTarget, isAutofixError } from '../domain/index.js';
import type { Cluster } from '../k8s/cluster.js';
import { rolloutStatus } from '../k8s/rollout-status.js';

export interface RolloutWatch {
  healthy: boolean;
  /** Why the rollout is (un)healthy, in kubectl's words. */
  message: string;
  seconds: number;
}

export interface WatchOptions {
  timeoutSeconds: number;
  pollMs?: number;
  /** Called with each new status line. */
  onLine?: (line: string) => void;
}

export async function watchRollout(
  cluster: Cluster,
  target: Target,
  generation: number,
  opts: WatchOptions,
): Promise<RolloutWatch> {
  const t0 = performance.now();
  const seconds = (): number => (performance.now() - t0) / 1000;
  const deadline = Date.now() + opts.timeoutSeconds * 1000;
  let message = 'waiting for the rollout';
  for (;;) {
    let obj: KubeObject | null;
    try {
      obj = await cluster.getWorkload(target);
    } catch (e) {
      // The patch is in: an apiserver outage mid-watch is waited out (never re-patched) until the deadline.
      if (!isAutofixError(e) || e.code !== ErrorCode.ClusterUnreachable || Date.now() >= deadline) throw e;
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
      continue;
    }
    if (!obj)
      return {
        healthy: false,
        message: `${describeTarget(target)} disappeared during the rollout`,
        seconds: seconds(),
      };
    const s = rolloutStatus(obj, generation);
    if (s.message !== message) opts.onLine?.(s.message);
    message = s.message;
    if (s.done || s.failed) return { healthy: s.done, message, seconds: seconds() };
    if (Date.now() >= deadline)
      return {
        healthy: false,
        message: `not healthy after ${opts.timeoutSeconds}s: ${message}`,
        seconds: seconds(),
      };
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 1000));
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
