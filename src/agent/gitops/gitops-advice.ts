// Everything a proposal says about GitOps/Helm ownership: the owner, the decision, what to commit; and the apply-time guard.
import type { GitOpsMode } from '../../config/config.js';
import type { GitOpsAdvice, KubeObject, Target } from '../../domain/index.js';
import { AutofixError, ErrorCode, describeTarget } from '../../domain/index.js';
import { commitPatch, helmValuesHint } from './commit-patch.js';
import { detectGitOpsOwner } from './detect-owner.js';
import { gitopsDecision } from './gitops-decision.js';

/** null when no GitOps tool or Helm manages the workload. */
export function gitopsAdvice(
  target: Target,
  live: KubeObject,
  proposed: KubeObject,
  mode: GitOpsMode | null | undefined,
): GitOpsAdvice | null {
  const owner = detectGitOpsOwner(live);
  if (!owner) return null;
  const decision = gitopsDecision(owner, mode);
  const release = owner.tool === 'helm' ? owner.owner.replace(/^Helm release /, '').split(' ')[0]! : '';
  return {
    owner,
    mode: decision.mode,
    liveApply: decision.liveApply,
    meaning: decision.meaning,
    commitPatch: commitPatch(target, live, proposed),
    valuesHint: owner.tool === 'helm' ? helmValuesHint(live, proposed, release) : [],
  };
}

/**
 * The apply step's one guard, on the live object as it is now: under `refuse` a GitOps-managed
 * workload is never patched live (the commit-ready patch in the proposal is the way to apply it).
 */
export function assertLiveApplyAllowed(
  target: Target,
  live: KubeObject,
  mode: GitOpsMode | null | undefined,
): void {
  const owner = detectGitOpsOwner(live);
  if (!owner) return;
  const decision = gitopsDecision(owner, mode);
  if (decision.liveApply) return;
  throw new AutofixError(
    ErrorCode.GitOpsManaged,
    `${describeTarget(target)} is managed by ${owner.owner}; nothing was applied. ${decision.meaning}`,
    {
      hint: 'Commit the proposed patch to the source the tool syncs from, or set AUTOFIX_GITOPS_MODE=warn|allow to patch live anyway.',
    },
  );
}
