// Safe rollback: only while the live template is still the one kube-autofix applied; validated like any change.
import type { KubeObject, Target } from '../domain/index.js';
import { AutofixError, ErrorCode, describeTarget } from '../domain/index.js';
import { describeChanges } from '../agent/change/describe-changes.js';
import { propose } from '../agent/change/propose.js';
import { stripGeneratedLabels } from '../agent/collect/summarize.js';
import { asRecord as rec } from '../domain/json-access.js';
import { validateChange } from '../agent/validate/validate-change.js';
import { redactObject } from '../safety/redact.js';
import type { RunHandle } from '../tracking/tracker.js';
import {
  captureTemplate,
  liveSources,
  patchAndWatch,
  type ApplyDeps,
  type ApplyOutcome,
  type Sealed,
} from './apply-change.js';
import type { StoredProposal } from './proposal-record.js';

/** The by-hand way back, for when kube-autofix refuses: kubectl's own history and undo. */
function rolloutUndoCommand(target: Target): string {
  const ref = `${target.kind.toLowerCase()}/${target.name} -n ${target.namespace}`;
  return `kubectl rollout history ${ref}; kubectl rollout undo ${ref} --to-revision=<REVISION>`;
}

const asWorkload = (template: unknown): KubeObject => ({ spec: { template } });

function unsafe(target: Target, why: string): AutofixError {
  return new AutofixError(ErrorCode.RollbackUnsafe, `Not rolled back: ${why}. Nothing was changed.`, {
    hint: `If you still want the old template back, do it by hand: ${rolloutUndoCommand(target)}`,
  });
}

/** Refuses unless the live object is the one we patched and its template is exactly the applied one. */
function assertStillOurs(record: StoredProposal, sealed: Sealed): void {
  const target = record.target;
  const meta = rec(sealed.live.metadata);
  if (meta.uid !== record.proposal.base.uid)
    throw unsafe(target, `${describeTarget(target)} was deleted and re-created since the change`);
  const applied = record.appliedTemplate;
  if (!applied) throw unsafe(target, 'there is no record of the template kube-autofix applied');
  const live = captureTemplate(sealed.live);
  if (live.digest === applied.digest) return;
  const since = describeChanges(asWorkload(applied.redacted), asWorkload(live.redacted));
  const what = since.length > 0 ? since.join('; ') : 'a value that is masked in messages changed';
  throw unsafe(
    target,
    `${describeTarget(target)} changed after kube-autofix's change (${what}), and rolling back would overwrite that`,
  );
}

/**
 * Restores the template kept with the proposal. The restore is a change like any other: policy and
 * server dry-run first, then the patch with the uid and generation test ops.
 */
export async function rollbackChange(
  record: StoredProposal,
  deps: ApplyDeps,
  run: RunHandle | null = null,
): Promise<ApplyOutcome> {
  const target = record.target;
  const sealed = await liveSources(deps.cluster, target);
  assertStillOurs(record, sealed);
  const redactedLive = redactObject(sealed.live, sealed.known);
  const change = {
    summary: ['restore the pod template from before kube-autofix applied its change'],
    patch: [
      {
        op: 'replace' as const,
        path: '/spec/template',
        value: stripGeneratedLabels(record.proposal.previousTemplate),
      },
    ],
  };
  const proposed = propose({ live: redactedLive, change });
  const meta = rec(sealed.live.metadata);
  const checked = await validateChange({
    target,
    change,
    live: redactedLive,
    proposed: proposed.patched,
    sealed,
    policy: deps.policy,
    cluster: deps.cluster,
    span: run?.startSpan('validate rollback', 'chain'),
  });
  if (!checked.ops) {
    throw new AutofixError(
      ErrorCode.PatchRejected,
      `Not rolled back: restoring the old template of ${describeTarget(target)} fails validation (${checked.errors.join('; ')}). Nothing was changed.`,
      { hint: `Restore it by hand if you must: ${rolloutUndoCommand(target)}` },
    );
  }
  return patchAndWatch(
    target,
    checked.ops,
    { uid: String(meta.uid), generation: Number(meta.generation ?? 0) },
    deps,
    run,
    sealed.known,
  );
}
