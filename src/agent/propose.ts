// The propose step: apply a change in memory to the live object; return the resulting manifest, its diff and what it does.
import { AutofixError, ErrorCode, type Change, type Evidence, type KubeObject } from '../domain/index.js';
import { applyPatch } from './apply-patch.js';
import { cleanManifest, reviewManifests } from './clean-manifest.js';
import { describeChanges } from './describe-changes.js';
import { unifiedDiff } from './unified-diff.js';

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
