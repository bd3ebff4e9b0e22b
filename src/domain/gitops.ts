// Who manages a workload besides the API (Argo CD, Flux, Helm), what a live patch means there, and what to commit instead.
import { z } from 'zod';

export const GitOpsTool = z.enum(['argocd', 'flux', 'helm']);
export type GitOpsTool = z.infer<typeof GitOpsTool>;

export const GitOpsOwner = z.object({
  tool: GitOpsTool,
  /** e.g. `Argo CD application shop-web`, `Flux Kustomization flux-system/apps`, `Helm release web`. */
  owner: z.string(),
  /** The labels/annotations the owner was recognised by, as `key=value`. */
  markers: z.array(z.string()),
});
export type GitOpsOwner = z.infer<typeof GitOpsOwner>;

export const GitOpsAdvice = z.object({
  owner: GitOpsOwner,
  mode: z.enum(['refuse', 'warn', 'allow']),
  /** Whether the change may be applied to the live object at all. */
  liveApply: z.boolean(),
  /** What a live patch means for this owner (reverted by self-heal, drift against the chart). */
  meaning: z.string(),
  /** The change as a strategic-merge patch (YAML) to commit, with the kustomize line that uses it. */
  commitPatch: z.string(),
  /** Helm only: the chart values most likely controlling the changed fields. */
  valuesHint: z.array(z.string()),
});
export type GitOpsAdvice = z.infer<typeof GitOpsAdvice>;
