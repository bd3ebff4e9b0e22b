// validate: schema, then the safety policy on the resulting object, then a server-side dry-run.
import type { Change, KubeObject, Target, Validation } from '../domain/index.js';
import { Change as ChangeSchema } from '../domain/index.js';
import type { PolicyConfig } from '../config/config.js';
import type { Cluster } from '../k8s/cluster.js';
import type { SpanHandle } from '../tracking/tracker.js';
import { evaluatePolicy } from '../safety/evaluate-policy.js';
import { redactText } from '../safety/redact.js';
import { rehydratePatch } from './rehydrate-patch.js';
import type { PatchOp } from '../domain/index.js';

export interface ValidateInput {
  target: Target;
  change: Change;
  /** The redacted live object (as the evidence holds it) and the resulting manifest. */
  live: KubeObject;
  proposed: KubeObject;
  sealed: { live: KubeObject; templates: KubeObject[] };
  policy: PolicyConfig;
  cluster: Cluster;
  /** The tracing span of this validation; policy and dry-run become its children. */
  span?: SpanHandle;
}

export interface ValidateOutput {
  validation: Validation;
  /** The ops with real values restored, ready for the apply; null unless every check passed. */
  ops: PatchOp[] | null;
  /** Exact errors to feed back into the next iteration. */
  errors: string[];
}

const skipped = { ok: false, message: 'not run: an earlier check failed' };

export async function validateChange(input: ValidateInput): Promise<ValidateOutput> {
  const schema = ChangeSchema.safeParse(input.change);
  if (!schema.success) {
    const errors = schema.error.issues.map((i) => `schema: ${i.path.join('.')}: ${i.message}`);
    return {
      validation: { schemaOk: false, policy: { ok: false, violations: [] }, dryRun: skipped },
      ops: null,
      errors,
    };
  }
  const policySpan = input.span?.startChild('policy', 'tool');
  const policy = evaluatePolicy({
    target: input.target,
    live: input.live,
    proposed: input.proposed,
    policy: input.policy,
  });
  policySpan?.setAttributes({ passed: policy.ok, violations: policy.violations.length });
  policySpan?.end();
  if (!policy.ok) {
    return {
      validation: { schemaOk: true, policy, dryRun: skipped },
      ops: null,
      errors: policy.violations.map((v) => `policy: ${v}`),
    };
  }
  const { ops, unresolved } = rehydratePatch(input.change.patch, input.sealed);
  if (unresolved.length > 0) {
    const violations = unresolved.map((p) => `${p} would hold a redacted value whose original is unknown`);
    return {
      validation: { schemaOk: true, policy: { ok: false, violations }, dryRun: skipped },
      ops: null,
      errors: violations.map((v) => `policy: ${v}`),
    };
  }
  const meta = input.sealed.live.metadata as { uid?: string; generation?: number };
  const drySpan = input.span?.startChild('dry-run', 'tool');
  const dry = await input.cluster.patchWorkload(input.target, ops, {
    uid: String(meta.uid),
    generation: Number(meta.generation),
    dryRun: true,
  });
  drySpan?.setAttributes({ passed: dry.ok });
  drySpan?.end();
  if (!dry.ok) {
    // The dry-run ran with real values restored: the server's message must not carry them onward.
    const message = redactText(`${dry.reason}: ${dry.message}`);
    return {
      validation: { schemaOk: true, policy, dryRun: { ok: false, message } },
      ops: null,
      errors: [`dry-run: ${message}`],
    };
  }
  return { validation: { schemaOk: true, policy, dryRun: { ok: true, message: null } }, ops, errors: [] };
}
