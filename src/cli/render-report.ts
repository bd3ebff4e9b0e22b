// Human-readable report of an investigation for the terminal (pure: returns text).
import { DEFAULT_CLUSTER, confidenceLabel, type InvestigationResult } from '../domain/index.js';
import { revealHidden } from '../safety/visible-text.js';

const HEADLINES: Record<InvestigationResult['outcome'], string> = {
  healthy: 'healthy: nothing to fix',
  proposed: 'a validated fix is proposed (nothing applied)',
  no_safe_fix: 'no safe automatic fix',
  fixed: 'fixed: the rollout is healthy',
  not_fixed: 'applied, but the workload did not become healthy',
  refused: 'refused',
  error: 'error',
};

export function renderReport(
  r: InvestigationResult,
  extra: { humanAction?: string | null; notes?: string[]; attempts?: string[] } = {},
): string {
  const t = r.target;
  const out: string[] = [`${t.kind.toLowerCase()}/${t.name} in ${t.namespace}: ${HEADLINES[r.outcome]}`];
  if (r.cluster !== DEFAULT_CLUSTER) out.push(`Cluster:      ${r.cluster}`);
  if (r.error) out.push(`Error:        ${r.error}`);
  const d = r.diagnosis;
  if (d) {
    out.push(
      `Category:     ${d.category}`,
      `Root cause:   ${d.rootCause}`,
      `Confidence:   ${confidenceLabel(d.confidence)} (${d.engine} engine)`,
      `Summary:      ${d.summary}`,
    );
  }
  if (extra.humanAction && !r.proposal) out.push(`What to do:   ${extra.humanAction}`);
  for (const note of extra.notes ?? []) out.push(`Note:         ${note}`);
  for (const a of extra.attempts ?? []) out.push(`Rejected:     ${a}`);
  if (r.proposal) {
    out.push(
      'Change (computed from the diff):',
      ...r.proposal.changes.map((c) => `  - ${c}`),
      `Engine's explanation (its own words, not verified): ${r.proposal.engineExplanation.join('; ')}`,
      'Diff:',
      ...r.proposal.diff
        .trimEnd()
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  const g = r.proposal?.gitops;
  if (g) {
    out.push(
      `Managed by:   ${g.owner.owner} (${g.owner.markers.join(', ')})`,
      `GitOps mode:  ${g.mode}: ${g.liveApply ? 'a live apply is allowed' : 'no live apply'}. ${g.meaning}`,
      ...g.valuesHint.map((h) => `Helm value:   ${h}`),
      'To commit:',
      ...g.commitPatch.split('\n').map((l) => `  ${l}`),
    );
  }
  if (r.validation) {
    const v = r.validation;
    const mark = (ok: boolean) => (ok ? 'passed' : 'FAILED');
    out.push(
      `Validated:    schema ${mark(v.schemaOk)}, policy ${mark(v.policy.ok)}, server dry-run ${v.dryRun.deferred ? 'deferred to the apply' : mark(v.dryRun.ok)}`,
    );
    // Flags are shown whole, never shortened: the reader approves exactly this.
    for (const f of v.flags) out.push(`Flagged:      ! ${f}`);
  }
  if (r.apply)
    out.push(
      `Apply:        ${r.apply.applied ? 'applied' : 'not applied'}, rollout ${r.apply.rolloutHealthy ? 'healthy' : 'NOT healthy'} after ${r.apply.seconds.toFixed(1)}s`,
    );
  out.push(`Iterations:   ${r.iterations}`);
  if (r.tracking) out.push(`MLflow run:   ${r.tracking.runUrl}`);
  if (r.outcome === 'proposed')
    out.push(`Next:         kube-autofix fix ${t.kind.toLowerCase()}/${t.name} -n ${t.namespace}`);
  // Model text, cluster text and values may carry escapes or bidi controls that would redraw the report.
  return out.map((line) => revealHidden(line)).join('\n') + '\n';
}
