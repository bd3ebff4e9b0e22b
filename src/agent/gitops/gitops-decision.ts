// The one decision on live patches of GitOps/Helm-managed objects: refuse, warn or allow, and what it means.
import type { GitOpsMode } from '../../config/config.js';
import type { GitOpsOwner } from '../../domain/index.js';

export interface GitOpsDecision {
  mode: GitOpsMode;
  liveApply: boolean;
  meaning: string;
}

const MEANING: Record<GitOpsOwner['tool'], (owner: string) => string> = {
  argocd: (o) =>
    `${o} owns this object: with self-heal on, a live patch is reverted at the next sync; without it the application stays OutOfSync until the change is committed to Git.`,
  flux: (o) =>
    `${o} reconciles this object from its source at every interval: a live patch is reverted at the next reconciliation unless the change is committed.`,
  helm: (o) =>
    `${o} owns this object: a live patch is drift against the chart that the next \`helm upgrade\` overwrites; put the change in the release's values.`,
};

/** AUTOFIX_GITOPS_MODE when set; otherwise refuse for Argo CD/Flux (they revert) and warn for Helm. */
export function gitopsDecision(
  owner: GitOpsOwner,
  configured: GitOpsMode | null | undefined,
): GitOpsDecision {
  const mode = configured ?? (owner.tool === 'helm' ? 'warn' : 'refuse');
  return { mode, liveApply: mode !== 'refuse', meaning: MEANING[owner.tool](owner.owner) };
}
