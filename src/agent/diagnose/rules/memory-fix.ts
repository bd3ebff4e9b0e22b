// Raise an OOM-killed container's memory limit one step (×2, whole Mi), capped by policy, requests ≤ limits.
import type { PolicyConfig } from '../../../config/config.js';
import type { Evidence, Finding, PatchOp } from '../../../domain/index.js';
import { formatBytes, parseQuantity } from '../../../domain/index.js';
import { findContainer, workloadTemplate } from '../../analyzers/pod-template.js';
import type { FixResult } from './candidate.js';

const MI = 2 ** 20;

/** Next limit: twice the current one rounded up to a whole Mi, never above the cap. */
export function nextMemoryLimit(currentBytes: number, capBytes: number): number {
  return Math.min(Math.ceil((2 * currentBytes) / MI) * MI, capBytes);
}

const blocked = (humanAction: string, notes: string[] = []): FixResult => ({
  kind: 'memory',
  change: null,
  humanAction,
  notes,
});

const noContainer = (name: string): FixResult =>
  blocked(
    `Raise the memory limit of container ${name}: it is not in the workload's pod template, so no patch can be written.`,
  );

const noLimit = (name: string): FixResult =>
  blocked(
    `Set resources.limits.memory on container ${name} explicitly (it was OOM-killed without a limit in its template), sized from its real usage (kubectl top pod).`,
    [
      'No memory limit is set in the pod template, so there is no limit to raise; a LimitRange default or node memory pressure killed it.',
    ],
  );

const atCap = (name: string, limit: string, cap: string): FixResult =>
  blocked(
    `Container ${name} is OOM-killed at ${limit}, already the maximum memory limit policy allows (AUTOFIX_MAX_MEMORY=${cap}): find why it needs more (leak, heap size settings) or raise AUTOFIX_MAX_MEMORY.`,
    [`The memory limit ${limit} is already at or above the policy maximum ${cap}.`],
  );

export function memoryFix(finding: Finding, evidence: Evidence, policy: PolicyConfig): FixResult {
  const name = finding.container ?? '';
  const spec = findContainer(workloadTemplate(evidence), name, finding.facts.initContainer === true);
  if (!spec) return noContainer(name);
  const limit = spec.limits.memory;
  const limitBytes = limit === undefined ? null : parseQuantity(limit);
  if (limit === undefined || limitBytes === null) return noLimit(name);
  if (limitBytes >= policy.maxMemoryBytes) return atCap(name, limit, formatBytes(policy.maxMemoryBytes));
  const next = nextMemoryLimit(limitBytes, policy.maxMemoryBytes);
  const patch: PatchOp[] = [
    { op: 'replace', path: `${spec.pointer}/resources/limits/memory`, value: formatBytes(next) },
  ];
  const summary = [`raise memory limit of container ${name} from ${limit} to ${formatBytes(next)}`];
  const request = spec.requests.memory;
  const requestBytes = request === undefined ? null : parseQuantity(request);
  if (requestBytes !== null && requestBytes > next) {
    // The API server rejects requests above limits; lower the request with the limit.
    patch.push({
      op: 'replace',
      path: `${spec.pointer}/resources/requests/memory`,
      value: formatBytes(next),
    });
    summary.push(
      `lower memory request of container ${name} from ${request} to ${formatBytes(next)} to stay within the limit`,
    );
  }
  const capped = next < Math.ceil((2 * limitBytes) / MI) * MI;
  const notes = capped
    ? [`The doubled limit was capped at the policy maximum ${formatBytes(policy.maxMemoryBytes)}.`]
    : [];
  return { kind: 'memory', change: { summary, patch }, notes };
}
