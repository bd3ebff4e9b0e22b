// Point a container's probes at its declared port when they name a port the container does not declare.
import type { Evidence, Finding, PatchOp } from '../../../domain/index.js';
import { checkProbePort } from '../../analyzers/probe-failure.js';
import { findContainer, workloadTemplate } from '../../analyzers/pod-template.js';
import type { Candidate } from './candidate.js';

/**
 * Fixes every probe of the failing container that has the same mismatch (a liveness probe on the
 * wrong port fails exactly like the readiness probe), so one change heals the container.
 */
export function probePortFix(finding: Finding, evidence: Evidence): Candidate | null {
  if (
    finding.category !== 'probe_failure' ||
    finding.facts.portMismatch !== true ||
    finding.container === null
  )
    return null;
  const spec = findContainer(workloadTemplate(evidence), finding.container);
  if (!spec) return null;
  const patch: PatchOp[] = [];
  const summary: string[] = [];
  for (const probe of spec.probes) {
    const check = checkProbePort(probe, spec);
    if (!check.mismatch || check.suggested === null || probe.portPointer === null) continue;
    patch.push({ op: 'replace', path: probe.portPointer, value: check.suggested });
    summary.push(
      `point ${probe.kind} probe of container ${spec.name} at port ${check.suggested} (was ${probe.port})`,
    );
  }
  if (patch.length === 0) return null;
  return { kind: 'probe_port', change: { summary, patch }, notes: [] };
}
