// The one apply: refuse a stale proposal, patch the workload (uid+generation tests), keep what was applied, watch.
import { createHash } from 'node:crypto';
import type { ApplyReport, KubeObject, PatchOp, Proposal, Target } from '../domain/index.js';
import { AutofixError, ErrorCode, codeForHttpStatus, describeTarget } from '../domain/index.js';
import type { GitOpsMode, PolicyConfig } from '../config/config.js';
import type { Cluster, PatchResult } from '../k8s/cluster.js';
import { assertLiveApplyAllowed } from '../agent/gitops/gitops-advice.js';
import { canonicalJson } from '../domain/canonical-json.js';
import { propose } from '../agent/change/propose.js';
import { rehydratePatch, type Sealed } from '../agent/change/rehydrate-patch.js';
import { judgeChange, judgeStored } from '../agent/validate/validate-change.js';
import { readKnownValues } from '../agent/collect/collect-secret-values.js';
import { stripGeneratedLabels } from '../agent/collect/summarize.js';
import { asArray, asRecord as rec } from '../domain/json-access.js';
import type { KnownValues } from '../safety/known-values.js';
import { redactObject, redactText } from '../safety/redact.js';
import type { RunHandle } from '../tracking/tracker.js';
import type { AppliedTemplate } from './proposal-record.js';
import { watchRollout } from './watch-rollout.js';

export interface ApplyDeps {
  cluster: Cluster;
  rolloutTimeoutSeconds: number;
  /** How often the rollout is polled. */
  pollMs?: number;
  /** The settle window after the rollout (see watchRollout); undefined: its default. */
  settleSeconds?: number;
  /** Each new rollout status line. */
  onLine?: (line: string) => void;
  /** AUTOFIX_GITOPS_MODE (null/undefined: each tool's default). */
  gitopsMode?: GitOpsMode | null;
  /** The safety policy every change is judged by again right before it is sent. */
  policy: PolicyConfig;
}

export interface ApplyOutcome extends ApplyReport {
  /** Why the rollout is (un)healthy, in kubectl's words. */
  message: string;
  /** The pod template as the server stored it after our patch (digest + redacted copy). */
  appliedTemplate: AppliedTemplate | null;
}

export type { Sealed };

export async function liveSources(cluster: Cluster, target: Target): Promise<Sealed> {
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
  const uid = rec(live.metadata).uid;
  // Only this workload's revisions: another one sharing the labels (a canary) is not a source of values.
  const owned = (await cluster.list(resource, target.namespace, { labelSelector: selector })).filter((o) =>
    asArray(rec(o.metadata).ownerReferences).some((r) => rec(r).uid === uid),
  );
  const templates = owned.map((o) =>
    stripGeneratedLabels(
      target.kind === 'Deployment' ? rec(o.spec).template : rec(rec(o.data).spec).template,
    ),
  );
  // The proposal was made from evidence redacted with the workload's secret values: restoring compares the same way.
  const known = await readKnownValues(cluster, target.namespace, live, []);
  return { live, templates, known };
}

/** What rollback compares against: the template digest, and a redacted copy to say what changed since. */
export function captureTemplate(workload: KubeObject): AppliedTemplate {
  const template = stripGeneratedLabels(rec(workload.spec).template);
  return {
    digest: createHash('sha256').update(canonicalJson(template)).digest('hex'),
    redacted: redactObject(template),
  };
}

/**
 * A refused patch → a coded error: a patch the changed workload could not take (its guard failed) → stale;
 * 403/404/422 permanent; 429/5xx transient. The patch carried real values, so the message is masked.
 */
function patchError(
  target: Target,
  res: Extract<PatchResult, { ok: false }>,
  known: KnownValues | undefined,
): AutofixError {
  if (res.changed) {
    return new AutofixError(
      ErrorCode.StaleProposal,
      `${describeTarget(target)} changed while applying; nothing was applied.`,
      { hint: 'Run the investigation again.' },
    );
  }
  const code = codeForHttpStatus(res.status);
  return new AutofixError(
    code,
    `The API server refused the change to ${describeTarget(target)} (${res.status} ${res.reason}): ${redactText(res.message, known)}`,
    {
      hint:
        code === ErrorCode.ClusterUnreachable
          ? 'It is retried.'
          : 'Nothing was applied; it is not retried. Run the investigation again.',
    },
  );
}

/** Patches with the uid/generation guard, records the applied template, and watches the rollout. */
export async function patchAndWatch(
  target: Target,
  ops: PatchOp[],
  base: { uid: string; generation: number },
  deps: ApplyDeps,
  run: RunHandle | null,
  known: KnownValues | undefined,
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
    span?.end(new Error(redactText(res.message, known)));
    throw patchError(target, res, known);
  }
  span?.end();
  const generation = Number(rec(res.object.metadata).generation ?? 0);
  deps.onLine?.(`applied (generation ${generation}); watching the rollout`);
  const rolloutSpan = run?.startSpan('rollout', 'tool', { generation });
  const r = await watchRollout(deps.cluster, target, generation, {
    timeoutSeconds: deps.rolloutTimeoutSeconds,
    pollMs: deps.pollMs,
    settleSeconds: deps.settleSeconds,
    onLine: deps.onLine,
  }).catch((e: unknown) => {
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
    appliedTemplate: captureTemplate(res.object),
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
  // The one place every front end's apply is refused for a GitOps-managed object.
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
  const ops = await judgeAgain(target, proposal, sealed, deps, run);
  return patchAndWatch(target, ops, { uid: proposal.base.uid, generation }, deps, run, sealed.known);
}

function notApplied(target: Target, why: string): AutofixError {
  return new AutofixError(
    ErrorCode.PatchRejected,
    `The approved change to ${describeTarget(target)} is not applied: ${why}. Nothing was changed.`,
    { hint: 'Investigate again for a fresh proposal, and review what it shows.' },
  );
}

/**
 * The approved change judged again right before it is sent, as the identity that sends it: policy on the
 * live object, a server dry-run, the policy on what the server would store. What an admission webhook
 * added since the proposal, or a dry-run deferred until an approver could make it, makes of the change
 * is refused when the policy refuses it, instead of passing silently.
 */
async function judgeAgain(
  target: Target,
  proposal: Proposal,
  sealed: Sealed,
  deps: ApplyDeps,
  run: RunHandle | null,
): Promise<PatchOp[]> {
  const live = redactObject(sealed.live, sealed.known);
  const input = {
    target,
    change: proposal.change,
    live,
    proposed: propose({ live, change: proposal.change }).patched,
    sealed,
    policy: deps.policy,
  };
  const { unresolved } = rehydratePatch(proposal.change.patch, sealed);
  if (unresolved.length > 0) {
    throw new AutofixError(
      ErrorCode.StaleProposal,
      `The original values at ${unresolved.join(', ')} are no longer available; nothing was applied.`,
      { hint: 'Run the investigation again.' },
    );
  }
  const judged = judgeChange(input);
  if ('refused' in judged)
    throw notApplied(target, `it no longer passes the safety policy (${judged.refused.errors.join('; ')})`);
  const span = run?.startSpan('dry-run before apply', 'tool');
  const dry = await deps.cluster
    .patchWorkload(target, judged.ops, {
      uid: proposal.base.uid,
      generation: proposal.base.generation,
      dryRun: true,
    })
    .catch((e: unknown) => {
      span?.end(e);
      throw e;
    });
  span?.setAttributes({ passed: dry.ok });
  span?.end(dry.ok ? undefined : new Error(dry.reason));
  if (!dry.ok) throw patchError(target, dry, sealed.known);
  const stored = judgeStored(input, dry.object, judged.flags);
  if (stored.violations.length > 0)
    throw notApplied(
      target,
      `the server would store it in a form the policy refuses (${stored.violations.join('; ')})`,
    );
  // New flags are not refused here: their texts carry live counts and need the evidence's Services, so they differ benignly.
  return judged.ops;
}

/** The report as logged (rollout.json): no template copies. */
export function applyReport(out: ApplyOutcome): ApplyReport & { message: string } {
  return {
    applied: out.applied,
    rolloutHealthy: out.rolloutHealthy,
    seconds: out.seconds,
    message: out.message,
  };
}
