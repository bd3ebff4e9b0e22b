// Runs one eval case on a cluster: a fresh namespace, the manifests (and the breaking release), the
// stated symptom judged from cluster facts, the agent (fixing with automatic approval), and an
// independent verdict on whether the workload healed. The namespace is always deleted.
import { CoreV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { loadConfig, type Config } from '../../config/config.js';
import { parseTarget, type Target } from '../../domain/index.js';
import type { DiagnosisEngine } from '../../agent/diagnose/engine.js';
import { createKubeCluster } from '../../k8s/kube-cluster.js';
import { createKubeHttp } from '../../k8s/kube-http.js';
import type { Cluster } from '../../k8s/cluster.js';
import type { Logger } from '../../observability/logger.js';
import { createEngine, wireAgent } from '../wire-agent.js';
import { countingEngine, runAgent } from './agent-fix.js';
import type { EvalCase } from './eval-case.js';
import { waitForHealed, waitForSymptom, type JudgeTiming } from './judge-case.js';
import { estimateCost, type PriceTable } from './price-table.js';
import type { CaseResult } from './score-eval.js';
import { EVAL_CASE_TAG, expectedCategoryLabels } from '../../tracking/outcome-labels.js';

export const EVAL_LABEL = 'kube-autofix.dev/eval-suite';

export interface EvalDeps {
  logger: Logger;
  /** Apply proposals (automatic approval) and judge healing; false = diagnose only. */
  fix: boolean;
  timing: JudgeTiming;
  prices: PriceTable;
  /** The environment configuration is read from; a case's `env` goes on top. */
  env: Record<string, string | undefined>;
  suiteId: string;
  /** Replaces the configured engine (a test injects one with a deliberately broken analyzer). */
  makeEngine?: (config: Config) => DiagnosisEngine;
}

const secs = (ms: number): number => Number((ms / 1000).toFixed(1));

/** `ev-<suite>-<case>-<attempt>`, a valid namespace name of at most 63 characters. */
export function caseNamespace(suiteId: string, name: string, attempt: number): string {
  return `ev-${suiteId}-${name.slice(0, 44).replace(/-+$/, '')}-${attempt}`;
}

async function applyBreakingRelease(config: Config, c: EvalCase, target: Target): Promise<void> {
  // The breaking release is someone else's change, recorded under another field manager.
  const res = await createKubeHttp(config.kubeconfig ?? undefined).send({
    method: 'PATCH',
    path: `/apis/apps/v1/namespaces/${target.namespace}/${target.kind === 'Deployment' ? 'deployments' : 'statefulsets'}/${target.name}`,
    query: { fieldManager: 'kube-autofix-eval' },
    body: JSON.stringify(c.breakPatch),
    contentType: 'application/json-patch+json',
  });
  if (res.status >= 300) throw new Error(`the breaking release was refused: ${res.text.slice(0, 300)}`);
}

/** Creates the case's objects (and its breaking release); answers why the case is broken, or null. */
async function setUp(
  kc: KubeConfig,
  config: Config,
  c: EvalCase,
  cluster: Cluster,
  target: Target,
  deps: EvalDeps,
): Promise<string | null> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const m of c.manifests) {
    const meta = (m.metadata ?? {}) as Record<string, unknown>;
    await objects.create({ ...m, metadata: { ...meta, namespace: target.namespace } } as KubernetesObject);
  }
  if (!c.breakPatch) return null;
  const first = await waitForSymptom(cluster, target, null, deps.timing);
  if (!first.ok) return `the first release never became healthy: ${first.why.join('; ')}`;
  await applyBreakingRelease(config, c, target);
  return null;
}

type Measured = Omit<
  CaseResult,
  'name' | 'attempt' | 'namespace' | 'expectedCategory' | 'expectedOutcome' | 'expectedHeals'
>;

const failed = (status: 'broken_case' | 'error', error: string): Measured => ({
  status,
  error,
  category: null,
  outcome: 'error',
  finalOutcome: 'error',
  confidence: null,
  healed: null,
  iterations: 0,
  secondsToProposal: null,
  secondsToHealthy: null,
  agentSeconds: 0,
  apiCalls: 0,
  llmCalls: 0,
  diagnoses: 0,
  promptTokens: 0,
  completionTokens: 0,
  costUsd: null,
  llmCeiling: null,
  investigationRunId: null,
  investigationRunUrl: null,
});

async function measure(
  c: EvalCase,
  config: Config,
  cluster: Cluster,
  target: Target,
  deps: EvalDeps,
): Promise<Measured> {
  const symptom = await waitForSymptom(cluster, target, c.symptom, deps.timing);
  if (!symptom.ok) return failed('broken_case', `the symptom never appeared: ${symptom.why.join('; ')}`);
  const counted = countingEngine(deps.makeEngine?.(config) ?? createEngine(config));
  const agentDeps = { ...wireAgent(config, deps.logger, () => {}, cluster), engine: counted.engine };
  const calls0 = cluster.apiCalls();
  const t0 = performance.now();
  let answer;
  try {
    answer = await runAgent(target, agentDeps, deps.fix);
  } catch (e) {
    return failed('error', `agent: ${e instanceof Error ? e.message : String(e)}`);
  }
  const agentMs = performance.now() - t0;
  const apiCalls = cluster.apiCalls() - calls0;
  let healed: boolean | null = null;
  let secondsToHealthy: number | null = null;
  if (deps.fix) {
    // Nothing applied cannot heal by itself: one settle window is enough to say so.
    const verdict = await waitForHealed(
      cluster,
      target,
      c.healed,
      deps.timing,
      answer.applied ? undefined : 0,
    );
    healed = verdict.ok;
    if (healed) secondsToHealthy = secs(performance.now() - t0);
  }
  // The case's stated expectation labels its investigation, so `eval --replay` can score the recording offline.
  await agentDeps.tracker.recordLabels(answer.runId, {
    ...expectedCategoryLabels(c.expect.category, 'eval'),
    [EVAL_CASE_TAG]: c.name,
  });
  const u = counted.usage;
  return {
    status: 'ok',
    error: null,
    category: answer.category,
    outcome: answer.outcome,
    finalOutcome: answer.finalOutcome,
    confidence: answer.confidence,
    healed,
    iterations: answer.iterations,
    secondsToProposal: answer.secondsToProposal === null ? null : Number(answer.secondsToProposal.toFixed(1)),
    secondsToHealthy,
    agentSeconds: secs(agentMs),
    apiCalls,
    llmCalls: u.llmCalls,
    diagnoses: u.diagnoses,
    promptTokens: u.promptTokens,
    completionTokens: u.completionTokens,
    costUsd: estimateCost(deps.prices, u.model, u.promptTokens, u.completionTokens),
    llmCeiling: u.ceiling,
    investigationRunId: answer.runId,
    investigationRunUrl: answer.runUrl,
  };
}

export async function runEvalCase(c: EvalCase, attempt: number, deps: EvalDeps): Promise<CaseResult> {
  const ns = caseNamespace(deps.suiteId, c.name, attempt);
  const base = {
    name: c.name,
    attempt,
    namespace: ns,
    expectedCategory: c.expect.category,
    expectedOutcome: c.expect.outcome,
    expectedHeals: c.expect.heals,
  };
  let config: Config;
  try {
    config = { ...loadConfig({ ...deps.env, ...c.env }), namespaces: [ns] };
  } catch (e) {
    return { ...base, ...failed('broken_case', `case env: ${String(e)}`) };
  }
  const kc = new KubeConfig();
  if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
  else kc.loadFromDefault();
  const core = kc.makeApiClient(CoreV1Api);
  const target = parseTarget(c.target, ns);
  const cluster = createKubeCluster({ kubeconfig: config.kubeconfig ?? undefined });
  try {
    await core.createNamespace({
      body: {
        metadata: {
          name: ns,
          labels: { 'app.kubernetes.io/part-of': 'kube-autofix-eval', [EVAL_LABEL]: deps.suiteId },
        },
      },
    });
    // Pods cannot be created before the namespace's default service account exists.
    const sa = await waitForServiceAccount(core, ns, deps.timing);
    if (!sa) return { ...base, ...failed('error', 'the namespace never got its default service account') };
    const broken = await setUp(kc, config, c, cluster, target, deps);
    if (broken) return { ...base, ...failed('broken_case', broken) };
    return { ...base, ...(await measure(c, config, cluster, target, deps)) };
  } catch (e) {
    return { ...base, ...failed('error', `setup: ${e instanceof Error ? e.message : String(e)}`) };
  } finally {
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
  }
}

async function waitForServiceAccount(core: CoreV1Api, ns: string, timing: JudgeTiming): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const n = await core
      .listNamespacedServiceAccount({ namespace: ns })
      .then((l) => l.items.length)
      .catch(() => 0);
    if (n > 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, timing.pollMs));
  }
}
