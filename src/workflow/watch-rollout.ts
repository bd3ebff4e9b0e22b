// The one rollout watch: poll the workload until the rollout of `generation` is done, failed or timed out.
import type { KubeObject, Target } from '../domain/index.js';
import { ErrorCode, describeTarget, isAutofixError } from '../domain/index.js';
import type { Cluster } from '../k8s/cluster.js';
import { rolloutStatus } from '../k8s/rollout-status.js';
import { selectorOf } from '../agent/collect/collect.js';
import { settleBaseline, settleFailure } from './settle-check.js';

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
  /**
   * After the rollout completes, how long the new pods must run without a restart or a failure state
   * (an OOM kill often comes seconds after "ready"). Default: a tenth of the timeout, 5 to 15 s.
   */
  settleSeconds?: number;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function defaultSettleSeconds(timeoutSeconds: number): number {
  return Math.min(15, Math.max(5, Math.round(timeoutSeconds / 10)));
}

/** Reads the workload's pods; an apiserver outage reads as "no news" (null) rather than a verdict. */
async function podsOf(cluster: Cluster, target: Target, workload: KubeObject): Promise<KubeObject[] | null> {
  try {
    return await cluster.list('pods', target.namespace, { labelSelector: selectorOf(workload) });
  } catch (e) {
    if (isAutofixError(e) && e.code === ErrorCode.ClusterUnreachable) return null;
    throw e;
  }
}

/** Holds the settle window; returns why the rollout is unhealthy after all, or null when it stayed healthy. */
async function settle(
  cluster: Cluster,
  target: Target,
  workload: KubeObject,
  opts: WatchOptions,
): Promise<string | null> {
  const seconds = opts.settleSeconds ?? defaultSettleSeconds(opts.timeoutSeconds);
  const first = await podsOf(cluster, target, workload);
  const baseline = settleBaseline(first ?? []);
  if (seconds > 0) opts.onLine?.(`rollout complete; watching the new pods for ${seconds}s`);
  const deadline = Date.now() + seconds * 1000;
  let pods = first;
  for (;;) {
    const why = pods ? settleFailure(baseline, pods) : null;
    if (why || Date.now() >= deadline) return why;
    await pause(opts.pollMs ?? 1000);
    pods = await podsOf(cluster, target, workload);
  }
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
      await pause(opts.pollMs ?? 1000);
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
    if (s.failed) return { healthy: false, message, seconds: seconds() };
    if (s.done) {
      const why = await settle(cluster, target, obj, opts);
      if (why) opts.onLine?.(why);
      return { healthy: why === null, message: why ?? message, seconds: seconds() };
    }
    if (Date.now() >= deadline)
      return {
        healthy: false,
        message: `not healthy after ${opts.timeoutSeconds}s: ${message}`,
        seconds: seconds(),
      };
    await pause(opts.pollMs ?? 1000);
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
