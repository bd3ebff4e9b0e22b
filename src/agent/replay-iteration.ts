// One recorded iteration re-run with no cluster: the engine on the bundle's input, then propose and every
// check short of the server (schema, policy refusals and flags, the redacted round trip), as runIteration does.
import type { Diagnosis, KubeObject, LlmUsage, PatchOp } from '../domain/index.js';
import { isAutofixError } from '../domain/index.js';
import type { EngineInput } from '../tracking/replay-bundle.js';
import { isHealthy } from './analyzers/registry.js';
import type { DiagnosisEngine } from './diagnose/engine.js';
import { propose } from './change/propose.js';
import { judgeChange } from './validate/validate-change.js';

/** What the iteration would have ended as: `refused` = propose or the offline checks refused the change. */
export type OfflineOutcome = 'healthy' | 'no_change' | 'refused' | 'proposed';

export interface OfflineVerdict {
  outcome: OfflineOutcome;
  /** The refusal's messages (propose, schema, policy). */
  errors: string[];
  /** Safety flags of a change that passed (a person must read it). */
  flags: string[];
}

export interface ReplayedIteration {
  diagnosis: Diagnosis;
  verdict: OfflineVerdict;
  usage: LlmUsage[];
  /** Wall-clock seconds of the engine call. */
  seconds: number;
}

/** The revisions' templates are redacted in the bundle, as the policy judged them; nothing secret is restored. */
const sealedOf = (input: EngineInput): { live: KubeObject; templates: KubeObject[] } => ({
  live: input.evidence.workload,
  templates: input.evidence.revisions.map((r) => r.template),
});

/** The diagnosis as runIteration keeps it: a workload the analyzers call healthy is healthy, with no change. */
export function asRecorded(input: EngineInput, d: Diagnosis): Diagnosis {
  return isHealthy(input.evidence, input.findings) ? { ...d, category: 'healthy', change: null } : d;
}

/** How the iteration ends for this diagnosis, judged offline. */
export function judgeOffline(input: EngineInput, d: Diagnosis): OfflineVerdict {
  if (d.category === 'healthy' && !d.change) return { outcome: 'healthy', errors: [], flags: [] };
  if (!d.change) return { outcome: 'no_change', errors: [], flags: [] };
  let patched: KubeObject;
  try {
    patched = propose({ evidence: input.evidence, change: d.change }).patched;
  } catch (e) {
    if (!isAutofixError(e)) throw e;
    return { outcome: 'refused', errors: [`propose: ${e.message}`], flags: [] };
  }
  const judged = judgeChange({
    target: input.evidence.target,
    change: d.change,
    live: input.evidence.workload,
    proposed: patched,
    sealed: sealedOf(input),
    services: input.evidence.services,
    policy: input.policy,
  });
  if ('refused' in judged)
    return { outcome: 'refused', errors: judged.refused.errors, flags: judged.refused.validation.flags };
  return { outcome: 'proposed', errors: [], flags: judged.flags };
}

/** The workload a patch makes of the recorded live object, or null when it does not apply: the change's effect. */
export function effectOf(input: EngineInput, patch: PatchOp[]): KubeObject | null {
  try {
    return propose({ evidence: input.evidence, change: { summary: ['replay'], patch } }).patched;
  } catch {
    return null;
  }
}

/** Runs the engine on the recorded input (no cluster, no tracking) and judges its answer offline. */
export async function replayIteration(
  engine: DiagnosisEngine,
  input: EngineInput,
  signal?: AbortSignal,
): Promise<ReplayedIteration> {
  const t0 = performance.now();
  const r = await engine.diagnose(input, signal);
  const seconds = (performance.now() - t0) / 1000;
  const diagnosis = asRecorded(input, r.diagnosis);
  return { diagnosis, verdict: judgeOffline(input, diagnosis), usage: r.usage, seconds };
}
