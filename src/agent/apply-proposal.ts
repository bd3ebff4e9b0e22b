// apply: refuse a stale proposal, patch the workload for real, watch the rollout; also rollback.
import type { ApplyReport, KubeObject, PatchOp, Proposal, Target } from '../domain/index.js';
import { AutofixError, ErrorCode, describeTarget, isAutofixError } from '../domain/index.js';
import type { Cluster } from '../k8s/cluster.js';
import { rolloutStatus } from '../k8s/rollout-status.js';
import type { RunHandle } from '../tracking/tracker.js';
import type { GitOpsMode } from '../config/config.js';
import { assertLiveApplyAllowed } from './gitops/gitops-advice.js';
import type { ProgressSink } from './progress.js';
import { rehydratePatch } from './rehydrate-patch.js';
import { rec, stripGeneratedLabels } from './summarize.js';

export interface ApplyDeps {
  cluster: Cluster;
  progress: ProgressSink;
  rolloutTimeoutSeconds: number;
  /** How often the rollout is polled. */
  pollMs?: number;
  /** AUTOFIX_GITOPS_MODE (null/undefined: each tool's default). */
  gitopsMode?: GitOpsMode | null;
}

export interface ApplyOutcome extends ApplyReport {
  /** Why the rollout is (un)healthy, in kubectl's words. */
  message: string;
}

async function liveSources(
  cluster: Cluster,
  target: Target,
): Promise<{ live: KubeObject; templates: KubeObject[] }> {
  const live = await cluster.getWorkload(target);
  if (!live) {
    throw new AutofixError(ErrorCode.TargetNotFound, `${describeTarget(target)} no longer exists.`, {
      hint: 'Nothing was applied.',
    });
  }
  const selector = Object.entries(rec(rec(rec(live.spec).selector).matchLabels))
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
  const resource = target.kind === 'Deployment' ? 'replicasets' : 'controllerrevisions';
  const owned = await cluster.list(resource, target.namespace, { labelSelector: selector });
  const templates = owned.map((o) =>
    stripGeneratedLabels(
      target.kind === 'Deployment' ? rec(o.spec).template : rec(rec(o.data).spec).template,
    ),
  );
  return { live, templates };
}

async function watchRollout(
  cluster: Cluster,
  target: Target,
  generation: number,
  deps: ApplyDeps,
): Promise<{ healthy: boolean; message: string }> {
  const deadline = Date.now() + deps.rolloutTimeoutSeconds * 1000;
  let message = 'waiting for the rollout';
  for (;;) {
    let obj: KubeObject | null;
    try {
      obj = await cluster.getWorkload(target);
    } catch (e) {
      // The patch is in: an apiserver outage mid-watch is waited out (never re-patched) until the deadline.
      if (!isAutofixError(e) || e.code !== ErrorCode.ClusterUnreachable || Date.now() >= deadline) throw e;
      await new Promise((r) => setTimeout(r, deps.pollMs ?? 1000));
      continue;
    }
    if (!obj) return { healthy: false, message: `${describeTarget(target)} disappeared during the rollout` };
    const s = rolloutStatus(obj, generation);
    if (s.message !== message) deps.progress({ stage: 'rollout', iteration: 0, message: s.message });
    message = s.message;
    if (s.done) return { healthy: true, message };
    if (s.failed) return { healthy: false, message };
    if (Date.now() >= deadline)
      return { healthy: false, message: `not healthy after ${deps.rolloutTimeoutSeconds}s: ${message}` };
    await new Promise((r) => setTimeout(r, deps.pollMs ?? 1000));
  }
}

async function patchAndWatch(
  target: Target,
  ops: PatchOp[],
  base: { uid: string; generation: number },
  deps: ApplyDeps,
  run: RunHandle | null,
): Promise<ApplyOutcome> {
  const t0 = performance.now();
  const span = run?.startSpan('server-side apply', 'tool');
  const res = await deps.cluster
    .patchWorkload(target, ops, { ...base, dryRun: false })
    .catch((e: unknown) => {
      span?.end(e);
      throw e;
    });
  if (!res.ok) {
    span?.end(new Error(res.message));
    // The uid/generation test op fails when the spec moved between our check and the patch.
    if (res.status === 422 && /test/i.test(res.message)) {
      throw new AutofixError(
        ErrorCode.StaleProposal,
        `${describeTarget(target)} changed while applying; nothing was applied.`,
        {
          hint: 'Run the investigation again.',
        },
      );
    }
    throw new AutofixError(
      ErrorCode.ClusterUnreachable,
      `Applying to ${describeTarget(target)} failed: ${res.reason}: ${res.message}`,
    );
  }
  span?.end();
  const generation = Number(rec(res.object.metadata).generation ?? 0);
  deps.progress({
    stage: 'apply',
    iteration: 0,
    message: `applied (generation ${generation}); watching the rollout`,
  });
  const rolloutSpan = run?.startSpan('rollout', 'tool', { generation });
  const r = await watchRollout(deps.cluster, target, generation, deps).catch((e: unknown) => {
    rolloutSpan?.end(e);
    throw e;
  });
  rolloutSpan?.setAttributes({ healthy: r.healthy });
  rolloutSpan?.end(r.healthy ? undefined : new Error(r.message));
  return {
    applied: true,
    rolloutHealthy: r.healthy,
    seconds: (performance.now() - t0) / 1000,
    message: r.message,
  };
}

/** Applies an approved proposal; refuses (STALE_PROPOSAL) when the target's spec changed since. */
export async function applyProposal(
  target: Target,
  proposal: Proposal,
  deps: ApplyDeps,
  run: RunHandle | null = null,
): Promise<ApplyOutcome> {
  const sealed = await liveSources(deps.cluster, target);
  assertLiveApplyAllowed(target, sealed.live, deps.gitopsMode);
  const meta = rec(sealed.live.metadata);
  const generation = Number(meta.generation ?? 0);
  if (meta.uid !== proposal.base.uid || generation !== proposal.base.generation) {
    throw new AutofixError(
      ErrorCode.StaleProposal,
      `${describeTarget(target)} changed since the proposal (generation ${proposal.base.generation} → ${generation}); nothing was applied.`,
      { hint: 'Run the investigation again for a fresh proposal.' },
    );
  }
  const { ops, unresolved } = rehydratePatch(proposal.change.patch, sealed);
  if (unresolved.length > 0) {
    throw new AutofixError(
      ErrorCode.StaleProposal,
      `The original values at ${unresolved.join(', ')} are no longer available; nothing was applied.`,
      {
        hint: 'Run the investigation again.',
      },
    );
  }
  return patchAndWatch(target, ops, { uid: proposal.base.uid, generation }, deps, run);
}

/** Restores `previousTemplate` (as kept with the proposal, redacted) with real values from the cluster. */
export async function rollbackTo(
  target: Target,
  previousTemplate: KubeObject,
  deps: ApplyDeps,
  run: RunHandle | null = null,
): Promise<ApplyOutcome> {
  const sealed = await liveSources(deps.cluster, target);
  const { ops, unresolved } = rehydratePatch(
    [{ op: 'replace', path: '/spec/template', value: stripGeneratedLabels(previousTemplate) }],
    sealed,
  );
  if (unresolved.length > 0) {
    throw new AutofixError(
      ErrorCode.StaleProposal,
      `Cannot restore the previous template: values at ${unresolved.join(', ')} are gone.`,
      {
        hint: 'Restore it by hand from the ReplicaSet history (kubectl rollout undo).',
      },
    );
  }
  const meta = rec(sealed.live.metadata);
  return patchAndWatch(
    target,
    ops,
    { uid: String(meta.uid), generation: Number(meta.generation ?? 0) },
    deps,
    run,
  );
}
