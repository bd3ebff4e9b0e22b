// Fault test: MLflow answering 5 s late (a delaying proxy in front of the real server) costs an investigation
// at most about one tracking timeout, not 5 s per call; the figure is printed.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, deleteNamespace, deployment, kube, type Kube } from './support/kube.js';
import { startMlflowProxy, type MlflowProxy } from './support/mlflow-proxy.js';
import { runCli, type CliRun } from './support/run-cli.js';
import { waitFor } from './support/wait-for.js';

/** The MLflow client's per-call timeout (src/tracking/mlflow-http.ts default). */
const TRACKING_TIMEOUT_MS = 5000;
const DELAY_MS = 5000;

let k: Kube;
let ns: string;
let proxy: MlflowProxy;

beforeAll(async () => {
  k = kube();
  ns = await createNamespace(k, 'trk-slow');
  // A failure that holds still (the pull never succeeds), so both runs see the same cluster state;
  // a crash loop cycles between running and waiting, and the two runs could read different moments of it.
  await k.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('pull', { image: 'nginx:1.99' }),
  });
  await waitFor(
    async () =>
      (await k.core.listNamespacedPod({ namespace: ns })).items.some((p) =>
        ['ErrImagePull', 'ImagePullBackOff'].includes(
          p.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? '',
        ),
      ),
    { what: 'the pull to fail', timeoutMs: 90_000 },
  );
  proxy = await startMlflowProxy(String(process.env.MLFLOW_TRACKING_URI), { delayMs: DELAY_MS });
});

afterAll(async () => {
  await proxy.close();
  await deleteNamespace(k, ns);
});

async function timed(trackingUri: string): Promise<{ ms: number; run: CliRun }> {
  const t0 = performance.now();
  const run = await runCli(
    'diagnose',
    'deployment/pull',
    { namespace: ns },
    {
      AUTOFIX_NAMESPACES: ns,
      MLFLOW_TRACKING_URI: trackingUri,
      MLFLOW_EXPERIMENT_NAME: `it-slow-${randomUUID()}`,
    },
  );
  return { ms: performance.now() - t0, run };
}

describe('MLflow slow', () => {
  it('a 5 s delay per call grows the investigation by about one tracking timeout, with the same result', async () => {
    const fast = await timed(String(process.env.MLFLOW_TRACKING_URI));
    const slow = await timed(proxy.url);
    const growth = slow.ms - fast.ms;
    console.log(
      `mlflow slow: investigation ${Math.round(fast.ms)} ms with MLflow, ${Math.round(slow.ms)} ms with ${DELAY_MS} ms per call ` +
        `(${proxy.forwarded} call(s) forwarded): grew ${Math.round(growth)} ms; tracking timeout ${TRACKING_TIMEOUT_MS} ms`,
    );
    expect(fast.run.json.tracking).not.toBeNull();
    expect(slow.run.json.tracking).toBeNull();
    expect(slow.run.json.diagnosis?.category).toBe(fast.run.json.diagnosis?.category);
    expect(slow.run.json.outcome).toBe(fast.run.json.outcome);
    // Relative to this run's own baseline: one timeout, plus the baseline's own jitter, never 5 s per call.
    expect(growth).toBeLessThanOrEqual(TRACKING_TIMEOUT_MS + fast.ms);
  });
});
