// The proposal's GitOps part: who owns the workload, what a live patch means there, and the patch to commit.
import type { GitOpsAdvice } from '../../domain/index.js';
import { SLACK_LIMITS, fullCodeBlocks, truncateMrkdwn } from '../slack-limits.js';
import { section, type KnownBlock } from './block-parts.js';

const VERDICT: Record<GitOpsAdvice['mode'], string> = {
  refuse: ':no_entry: *Not applied live* (AUTOFIX_GITOPS_MODE=refuse): commit the patch below instead.',
  warn: ':warning: Approving patches it live (AUTOFIX_GITOPS_MODE=warn); commit the patch below too, or it drifts.',
  allow: 'Approving patches it live (AUTOFIX_GITOPS_MODE=allow); commit the patch below too.',
};

export function gitopsBlocks(g: GitOpsAdvice | null | undefined): KnownBlock[] {
  if (!g) return [];
  const hints = g.valuesHint.map((h) => `• Helm: ${h}`).join('\n');
  const text = [`*Managed by ${g.owner.owner}*`, g.meaning, VERDICT[g.mode], hints]
    .filter(Boolean)
    .join('\n');
  // Whole: in refuse mode this patch is the only way the change reaches the cluster.
  const code = fullCodeBlocks(g.commitPatch);
  return [section(truncateMrkdwn(text, SLACK_LIMITS.sectionText)), ...code.map((b) => section(b))];
}
