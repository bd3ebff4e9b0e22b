// A change made concrete: the resulting manifest, its diff, and the validation it passed.
import { z } from 'zod';
import { Change } from './change.js';
import { KubeObject } from './evidence.js';
import { GitOpsAdvice } from './gitops.js';

export const PolicyResult = z.object({ ok: z.boolean(), violations: z.array(z.string()) });
export type PolicyResult = z.infer<typeof PolicyResult>;

export const DryRunResult = z.object({
  ok: z.boolean(),
  message: z.string().nullable(),
  /**
   * Not run at proposal time (AUTOFIX_APPLY_AS=approver, and the requester — an alert, an unmapped user —
   * has no Kubernetes identity to run it as): the server judges the patch when an approver applies it, as them.
   */
  deferred: z.boolean().optional(),
});
export type DryRunResult = z.infer<typeof DryRunResult>;

export const Validation = z.object({
  schemaOk: z.boolean(),
  policy: PolicyResult,
  dryRun: DryRunResult,
  /** What the policy passes on to a person (behaviour changes, loosened guards, re-pointed traffic), shown in full; never auto-applied. */
  flags: z.array(z.string()).default([]),
});
export type Validation = z.infer<typeof Validation>;

export const Proposal = z.object({
  change: Change,
  /**
   * What the change does, one sentence per changed field, computed from the real difference between the
   * live and the resulting object: this (never the engine's own summary) is what approvers are shown.
   */
  changes: z.array(z.string()).default([]),
  /** Unified diff of the workload (YAML) before → after. */
  diff: z.string(),
  /** The whole resulting object as it would be applied (no status, no managedFields). */
  manifest: KubeObject,
  /** What the live object was when the proposal was made; apply refuses if it moved. */
  base: z.object({ resourceVersion: z.string(), generation: z.number().int(), uid: z.string() }),
  /** The pod template before the change, kept for rollback. */
  previousTemplate: KubeObject,
  validation: Validation,
  /** Set when Argo CD, Flux or Helm manages the workload: who, whether a live apply is allowed, what to commit. */
  gitops: GitOpsAdvice.nullable().optional(),
});
export type Proposal = z.infer<typeof Proposal>;
