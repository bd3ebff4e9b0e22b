// The outcome of an investigation, exactly the `--json` shape documented in ARCHITECTURE.md.
import { z } from 'zod';
import { ClusterField } from './cluster.js';
import { DiagnosisSummary } from './diagnosis.js';
import { KubeObject } from './evidence.js';
import { GitOpsAdvice } from './gitops.js';
import { Validation } from './proposal.js';

export const Outcome = z.enum([
  'healthy',
  'proposed',
  'no_safe_fix',
  'fixed',
  'not_fixed',
  'refused',
  'error',
]);
export type Outcome = z.infer<typeof Outcome>;

export const ApplyReport = z.object({
  applied: z.boolean(),
  rolloutHealthy: z.boolean(),
  seconds: z.number(),
});
export type ApplyReport = z.infer<typeof ApplyReport>;

export const InvestigationResult = z.object({
  /** The cluster investigated (AUTOFIX_CLUSTER; additive to the documented shape). */
  cluster: ClusterField,
  target: z.object({ kind: z.string(), name: z.string(), namespace: z.string() }),
  outcome: Outcome,
  diagnosis: DiagnosisSummary.nullable(),
  proposal: z
    .object({
      /** Computed from the diff: what the change really does. */
      changes: z.array(z.string()),
      /** The engine's own words for its change, shown only labelled as such. */
      engineExplanation: z.array(z.string()),
      diff: z.string(),
      manifest: KubeObject,
      /** Present when Argo CD, Flux or Helm manages the workload (additive to the documented shape). */
      gitops: GitOpsAdvice.optional(),
    })
    .nullable(),
  validation: Validation.nullable(),
  apply: ApplyReport.nullable(),
  iterations: z.number().int(),
  tracking: z.object({ runId: z.string(), runUrl: z.string() }).nullable(),
  error: z.string().nullable(),
});
export type InvestigationResult = z.infer<typeof InvestigationResult>;
