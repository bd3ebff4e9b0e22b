// Runs one eval case on a cluster: a fresh namespace, the manifests (and the breaking release), wait for
// symptoms, then diagnose (or fix with automatic approval) and record the outcome.
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import type { Config } from '../../config/config.js';
import { parseTarget, type Target } from '../../domain/index.js';
import { collectEvidence } from '../../agent/collect.js';
import { isHealthy, runAnalyzers } from '../../agent/analyzers/registry.js';
import { investigate, toResult } from '../../agent/investigate.js';
import { fixWorkload } from '../../workflow/fix-workload.js';
import { createKubeCluster } from '../../k8s/kube-cluster.js';
import { createKubeHttp } from '../../k8s/kube-http.js';
import type { Cluster } from '../../k8s/cluster.js';
import { rolloutStatus } from '../../k8s/rollout-status.js';
import type { Logger } from '../../observability/logger.js';
import { wireAgent } from '../wire-agent.js';
import type { EvalCase } from './eval-case.js';
import type { CaseResult } from './score-eval.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(1000);
  }
}

async function setUp(
  kc: KubeConfig,
  config: Config,
  c: EvalCase,
  ns: string,
  cluster: Cluster,
  target: Target,
): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const m of c.manifests) {
    const meta = (m.metadata ?? {}) as Record<string, unknown>;
    await objects.create({ ...m, metadata: { ...meta, namespace: ns } } as KubernetesObject);
  }
  if (!c.breakPatch) return;
  await until('the first release to become available', 120_000, async () => {
    const w = await cluster.getWorkload(target);
    return w !== null && rolloutStatus(w, Number((w.metadata as { generation?: number }).generation)).done;
  });
  // The breaking release is someone else's change, recorded under another field manager.
  const res = await createKubeHttp(config.kubeconfig ?? undefined).send({
    method: 'PATCH',
    path: `/apis/apps/v1/namespaces/${ns}/${target.kind === 'Deployment' ? 'deployments' : 'statefulsets'}/${target.name}`,
    query: { fieldManager: 'kube-autofix-eval' },
    body: JSON.stringify(c.breakPatch),
    contentType: 'application/json-patch+json',
  });
  if (res.status >= 300) throw new Error(`the breaking release was refused: ${res.text.slice(0, 300)}`);
}

/** Waits until the analyzers see symptoms (or health, for a healthy case), as an on-call engineer would. */
async function waitForSymptoms(cluster: Cluster, target: Target, expectHealthy: boolean): Promise<void> {
  await until(expectHealthy ? 'the workload to be healthy' : 'symptoms to show', 120_000, async () => {
    const { evidence } = await collectEvidence(cluster, target);
    const findings = runAnalyzers(evidence);
    return expectHealthy ? isHealthy(evidence, findings) : findings.some((f) => f.severity === 'critical');
  });
}

export async function runEvalCase(
  c: EvalCase,
  config: Config,
  opts: { fix: boolean; logger: Logger },
): Promise<CaseResult> {
  const ns = `eval-${c.name.slice(0, 40)}-${randomBytes(3).toString('hex')}`;
  const kc = new KubeConfig();
  if (config.kubeconfig) kc.loadFromFile(config.kubeconfig);
  else kc.loadFromDefault();
  const core = kc.makeApiClient(CoreV1Api);
  const target = parseTarget(c.target, ns);
  const cluster = createKubeCluster({ kubeconfig: config.kubeconfig ?? undefined });
  const base = {
    name: c.name,
    expectedCategory: c.expect.category,
    expectedOutcome: c.expect.outcome,
    expectedHeals: c.expect.heals,
  };
  const started = performance.now();
  await core.createNamespace({
    body: { metadata: { name: ns, labels: { 'app.kubernetes.io/part-of': 'kube-autofix-eval' } } },
  });
  try {
    await until(
      'the default service account',
      30_000,
      async () => (await core.listNamespacedServiceAccount({ namespace: ns })).items.length > 0,
    );
    await setUp(kc, config, c, ns, cluster, target);
    await waitForSymptoms(cluster, target, c.expect.category === 'healthy');
    const deps = wireAgent({ ...config, namespaces: [ns] }, opts.logger, () => {}, cluster);
    const t0 = performance.now();
    const calls0 = cluster.apiCalls();
    const fixed = opts.fix ? await fixWorkload(target, deps, async () => 'eval') : null;
    const inv = fixed?.investigation ?? (await investigate(target, deps));
    const result = fixed?.result ?? toResult(inv);
    await inv.run.end('FINISHED');
    return {
      ...base,
      category: result.diagnosis?.category ?? null,
      outcome: opts.fix && result.outcome === 'fixed' ? 'proposed' : result.outcome,
      confidence: result.diagnosis?.confidence ?? null,
      healed: opts.fix ? result.outcome === 'fixed' : null,
      iterations: result.iterations,
      seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
      apiCalls: cluster.apiCalls() - calls0,
      error: null,
    };
  } catch (e) {
    const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
    return {
      ...base,
      category: null,
      outcome: 'error',
      confidence: null,
      healed: null,
      iterations: 0,
      seconds,
      apiCalls: 0,
      error: e instanceof Error ? e.message : String(e),
    };
  } finally {
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
  }
}
