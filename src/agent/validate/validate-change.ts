// validate: schema, then the safety policy on the resulting object, then a server-side dry-run whose stored object is judged again.
import type { Change, KubeObject, ServiceSummary, Target, Validation } from '../../domain/index.js';
import { Change as ChangeSchema } from '../../domain/index.js';
import type { PolicyConfig } from '../../config/config.js';
import type { Cluster } from '../../k8s/cluster.js';
import type { SpanHandle } from '../../tracking/tracker.js';
import { evaluatePolicy } from '../../safety/evaluate-policy.js';
import { redactObject, redactText } from '../../safety/redact.js';
import { sameAsJudged } from '../../safety/same-as-judged.js';
import { applyPatch } from '../change/apply-patch.js';
import { rehydratePatch, type Sealed } from '../change/rehydrate-patch.js';
import type { PatchOp, PolicyResult } from '../../domain/index.js';
import { deepEqual } from '../../domain/json-access.js';

export interface ValidateInput {
  target: Target;
  change: Change;
  /** The redacted live object (as the evidence holds it) and the whole object the change makes of it (propose's `patched`). */
  live: KubeObject;
  proposed: KubeObject;
  sealed: Sealed;
  /** The Services that select the workload's pods, from the evidence: a change that re-points them is flagged. */
  services?: readonly ServiceSummary[];
  policy: PolicyConfig;
  cluster: Cluster;
  /** The tracing span of this validation; policy and dry-run become its children. */
  span?: SpanHandle;
  /** Why no server dry-run can run now (no identity may make it); the change is then judged at apply. */
  dryRunDeferred?: string | null;
}

export interface ValidateOutput {
  validation: Validation;
  /** The ops with real values restored, ready for the apply; null unless every check passed. */
  ops: PatchOp[] | null;
  /** Exact errors to feed back into the next iteration. */
  errors: string[];
}

const skipped = { ok: false, message: 'not run: an earlier check failed' };

function refused(policy: PolicyResult, flags: string[] = []): ValidateOutput {
  return {
    validation: { schemaOk: true, policy, dryRun: skipped, flags },
    ops: null,
    errors: policy.violations.map((v) => `policy: ${v}`),
  };
}

/** The policy rules (refusals and flags) on the judged object and every op path. */
function judge(
  input: JudgeInput,
  proposed: KubeObject = input.proposed,
): { policy: PolicyResult; flags: string[] } {
  const { flags, ...policy } = evaluatePolicy({
    target: input.target,
    live: input.live,
    proposed,
    ops: input.change.patch,
    policy: input.policy,
    previousTemplates: input.sealed.templates.map((t) => redactObject(t, input.sealed.known)),
    ...(input.services === undefined ? {} : { services: input.services }),
  });
  return { policy, flags };
}

/** Real values restored, then the object they make compared with the judged one (redacted, both). */
function rehydrateChecked(input: JudgeInput): { ops: PatchOp[] } | { violations: string[] } {
  const { ops, unresolved } = rehydratePatch(input.change.patch, input.sealed);
  if (unresolved.length > 0)
    return {
      violations: unresolved.map((p) => `${p} would hold a redacted value whose original is unknown`),
    };
  let sent: KubeObject;
  try {
    sent = applyPatch(input.sealed.live, ops);
  } catch (e) {
    return {
      violations: [`the restored operations do not apply to the live object: ${(e as Error).message}`],
    };
  }
  const drift = sameAsJudged(sent, input.proposed, input.sealed.known);
  return drift.length > 0 ? { violations: drift } : { ops };
}

export type JudgeInput = Omit<ValidateInput, 'cluster' | 'span'> & { span?: SpanHandle };

/**
 * Every check short of the server: schema, policy (refusals and flags) on the judged object and op
 * paths, then rehydration and the sent-equals-judged comparison. Either a refusal or the ops to send.
 */
export function judgeChange(
  input: JudgeInput,
): { refused: ValidateOutput } | { ops: PatchOp[]; policy: PolicyResult; flags: string[] } {
  const schema = ChangeSchema.safeParse(input.change);
  if (!schema.success) {
    const errors = schema.error.issues.map((i) => `schema: ${i.path.join('.')}: ${i.message}`);
    return {
      refused: {
        validation: { schemaOk: false, policy: { ok: false, violations: [] }, dryRun: skipped, flags: [] },
        ops: null,
        errors,
      },
    };
  }
  const policySpan = input.span?.startChild('policy', 'tool');
  const { policy, flags } = judge(input);
  policySpan?.setAttributes({ passed: policy.ok, violations: policy.violations.length, flags: flags.length });
  policySpan?.end();
  if (!policy.ok) return { refused: refused(policy, flags) };
  const restored = rehydrateChecked(input);
  if ('violations' in restored)
    return { refused: refused({ ok: false, violations: restored.violations }, flags) };
  return { ops: restored.ops, policy, flags };
}

/**
 * The policy once more on the spec the server's dry-run would store (defaults filled in, quantities
 * normalised, anything an admission webhook adds), when it is not the spec judged: what is applied is
 * what the server makes of the operations, so that is what must pass. Metadata stays the judged one
 * (the server moves generation and managedFields on its own).
 */
export function judgeStored(
  input: JudgeInput,
  stored: KubeObject,
  flags: string[],
): { violations: string[]; flags: string[] } {
  const spec = redactObject(stored, input.sealed.known).spec;
  if (deepEqual(spec, input.proposed.spec)) return { violations: [], flags };
  const again = judge(input, { ...input.proposed, spec });
  return {
    violations: again.policy.violations.map((v) => `as the server would store it, ${v}`),
    flags: [...new Set([...flags, ...again.flags])],
  };
}

export async function validateChange(input: ValidateInput): Promise<ValidateOutput> {
  const judged = judgeChange(input);
  if ('refused' in judged) return judged.refused;
  const { ops, policy, flags } = judged;
  if (input.dryRunDeferred) {
    const dryRun = { ok: true, message: input.dryRunDeferred, deferred: true };
    return { validation: { schemaOk: true, policy, dryRun, flags }, ops, errors: [] };
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
    const message = redactText(`${dry.reason}: ${dry.message}`, input.sealed.known);
    return {
      validation: { schemaOk: true, policy, dryRun: { ok: false, message }, flags },
      ops: null,
      errors: [`dry-run: ${message}`],
    };
  }
  const stored = judgeStored(input, dry.object, flags);
  if (stored.violations.length > 0) {
    const refusal = { ok: false, violations: stored.violations };
    return {
      validation: {
        schemaOk: true,
        policy: refusal,
        dryRun: { ok: true, message: null },
        flags: stored.flags,
      },
      ops: null,
      errors: stored.violations.map((v) => `policy: ${v}`),
    };
  }
  return {
    validation: { schemaOk: true, policy, dryRun: { ok: true, message: null }, flags: stored.flags },
    ops,
    errors: [],
  };
}
