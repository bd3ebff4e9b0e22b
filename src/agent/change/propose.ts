// The propose step: apply a change in memory to the live object; return the resulting manifest, its diff and what it does.
import {
  AutofixError,
  ErrorCode,
  isAutofixError,
  type Change,
  type Evidence,
  type KubeObject,
} from '../../domain/index.js';
import { jsonDepth } from '../../domain/json-access.js';
import { applyPatch } from './apply-patch.js';
import { cleanManifest, reviewManifests } from '../collect/clean-manifest.js';
import { describeChanges } from './describe-changes.js';
import { unifiedDiff } from './unified-diff.js';

/** Deeper than any workload field; such values are refused before anything walks them. */
const MAX_OP_DEPTH = 64;

export type ProposeInput = { change: Change } & ({ live: KubeObject } | { evidence: Evidence });

export interface ProposeResult {
  /** The resulting object as reviewers keep it (see cleanManifest). */
  manifest: KubeObject;
  /** The whole object the operations produce, metadata and status included: what the policy judges. */
  patched: KubeObject;
  /** Unified YAML diff, `--- a/deployment/web` / `+++ b/deployment/web`, 3 lines of context. */
  diff: string;
  /** One sentence per changed field, derived from the result rather than from the change's own summary. */
  changes: string[];
}

/** `deployment/web`: how diffs and messages name the workload. */
export function workloadLabel(obj: KubeObject): string {
  const meta =
    typeof obj.metadata === 'object' && obj.metadata !== null
      ? (obj.metadata as Record<string, unknown>)
      : {};
  return `${typeof obj.kind === 'string' ? obj.kind.toLowerCase() : 'object'}/${String(meta.name ?? '?')}`;
}

/**
 * Applies the change to a copy of the live object (evidence.workload, or `live`). Throws BAD_INPUT
 * when a patch operation cannot be applied, and when the change leaves the manifest as it was:
 * a no-op is never a fix, and saying so lets the next iteration try something else.
 *
 * With evidence the live object is the redacted one, so the manifest is for review and policy;
 * whoever applies must re-run the patch on the object freshly read from the cluster.
 */
export function propose(input: ProposeInput): ProposeResult {
  const deep = input.change.patch.findIndex((op) => jsonDepth(op.value, MAX_OP_DEPTH) > MAX_OP_DEPTH);
  if (deep !== -1) {
    throw new AutofixError(
      ErrorCode.BadInput,
      `patch operation ${deep} (${input.change.patch[deep]!.path}) has a value nested deeper than ${MAX_OP_DEPTH} levels`,
      { hint: 'No workload field nests that deep; set the field itself.' },
    );
  }
  try {
    return proposeChecked(input);
  } catch (e) {
    if (isAutofixError(e)) throw e;
    // Whatever the engine sent must come back as feedback, never end the investigation.
    throw new AutofixError(ErrorCode.BadInput, `the proposed change cannot be applied: ${String(e)}`, {
      hint: 'Propose a smaller patch of allowed fields.',
    });
  }
}

function proposeChecked(input: ProposeInput): ProposeResult {
  const live = 'live' in input ? input.live : input.evidence.workload;
  const patched = applyPatch(live, input.change.patch);
  const label = workloadLabel(live);
  // Built from the whole objects: a change to a field cleaning drops (status, finalizers…) still shows.
  const diff = unifiedDiff(live, patched, label);
  if (diff === '') {
    throw new AutofixError(
      ErrorCode.BadInput,
      `the proposed change does not change ${label}: the resulting manifest is identical to the live one`,
      {
        hint: 'Propose a patch that changes an allowed field of the workload spec.',
      },
    );
  }
  const [before, after] = reviewManifests(live, patched);
  return { manifest: cleanManifest(patched), patched, diff, changes: describeChanges(before, after) };
}
