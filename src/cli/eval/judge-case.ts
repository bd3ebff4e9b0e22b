// Waits on cluster facts with fixed timeouts: the symptom before the agent runs, health after it.
import type { Target } from '../../domain/index.js';
import type { Cluster } from '../../k8s/cluster.js';
import type { HealedSpec, Symptom } from './eval-case.js';
import { healedAcross, missingSymptoms, readFacts, unhealthyReasons } from './cluster-facts.js';

export interface JudgeTiming {
  pollMs: number;
  symptomTimeoutMs: number;
  healTimeoutMs: number;
}

export const DEFAULT_TIMING: JudgeTiming = {
  pollMs: 1000,
  symptomTimeoutMs: 120_000,
  healTimeoutMs: 120_000,
};

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` (which answers why the condition does not hold yet) until it is empty or time runs out. */
async function pollUntil(
  timeoutMs: number,
  pollMs: number,
  check: () => Promise<string[]>,
): Promise<{ ok: boolean; why: string[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = await check().catch((e: unknown) => [`cannot read the cluster: ${String(e)}`]);
    if (why.length === 0) return { ok: true, why };
    if (Date.now() >= deadline) return { ok: false, why };
    await pause(pollMs);
  }
}

/** The symptom as stated (or health, for the healthy case); `why` says which facts never appeared. */
export function waitForSymptom(
  cluster: Cluster,
  target: Target,
  symptom: Symptom | null,
  timing: JudgeTiming,
): Promise<{ ok: boolean; why: string[] }> {
  return pollUntil(timing.symptomTimeoutMs, timing.pollMs, async () => {
    const facts = await readFacts(cluster, target);
    return symptom ? missingSymptoms(symptom, facts) : unhealthyReasons(facts);
  });
}

/** Healthy, then still healthy with no new restarts a settle window later; within `timeoutMs`. */
export function waitForHealed(
  cluster: Cluster,
  target: Target,
  spec: HealedSpec,
  timing: JudgeTiming,
  timeoutMs = timing.healTimeoutMs,
): Promise<{ ok: boolean; why: string[] }> {
  return pollUntil(timeoutMs, timing.pollMs, async () => {
    const before = await readFacts(cluster, target);
    const now = unhealthyReasons(before);
    if (now.length > 0) return now;
    await pause(spec.settleSeconds * 1000);
    return healedAcross(before, await readFacts(cluster, target));
  });
}
