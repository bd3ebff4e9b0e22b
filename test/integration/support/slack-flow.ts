// Steps of the Slack flow on the sandbox, shared by the end-to-end tests: break a deployment, ask, find the proposal.
import { afterAll, beforeAll } from 'vitest';
import type { Kube } from './kube.js';
import { deployment, useNamespace, waitAvailable } from './kube.js';
import { waitFor } from './wait-for.js';
import {
  CHANNEL,
  buttonsOf,
  parentMessages,
  proposalsIn,
  slash,
  startHarness,
  type Harness,
  type HarnessOptions,
} from './slack-harness.js';
import type { StoredMessage } from '../../../tools/stand-ins/local-slack/slack-stand-in.js';

/** A deployment that was healthy on nginx:1.27 and now fails to pull nginx:1.99 (a bad release). */
export async function brokenDeployment(
  k: Kube,
  namespace: string,
  name: string,
  opts: { minReadySeconds?: number } = {},
): Promise<void> {
  const body = deployment(name, { image: 'nginx:1.27' });
  if (opts.minReadySeconds) body.spec!.minReadySeconds = opts.minReadySeconds;
  await k.apps.createNamespacedDeployment({ namespace, body });
  await waitAvailable(k, namespace, name);
  await k.apps.patchNamespacedDeployment(
    {
      name,
      namespace,
      body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.99' }],
    },
    { headers: { 'Content-Type': 'application/json-patch+json' } } as never,
  );
  await waitFor(
    async () => {
      const pods = (await k.core.listNamespacedPod({ namespace, labelSelector: `app=${name}` })).items;
      return pods.some((p) =>
        p.status?.containerStatuses?.[0]?.state?.waiting?.reason?.includes('ImagePull'),
      );
    },
    { what: `${name} pods failing to pull nginx:1.99` },
  );
}

export async function imageOf(k: Kube, namespace: string, name: string): Promise<string | undefined> {
  return (await k.apps.readNamespacedDeployment({ name, namespace })).spec?.template.spec?.containers[0]
    ?.image;
}

export interface Asked {
  parent: StoredMessage;
  proposal: StoredMessage;
  proposalId: string;
  ackMs: number;
}

/** `/autofix deployment/<name> -n <ns>` → the parent message → the proposal with its buttons. */
export async function askForFix(
  h: Harness,
  namespace: string,
  name: string,
  timeoutMs = 120_000,
): Promise<Asked> {
  const before = new Set(parentMessages(h).map((m) => m.ts));
  const reply = await slash(h, `deployment/${name} -n ${namespace}`);
  if (reply.status !== 200) throw new Error(`slash command answered ${reply.status}: ${reply.body}`);
  const parent = await h.slack.waitFor(
    () => parentMessages(h).find((m) => !before.has(m.ts) && m.text.includes(`deployment/${name}`)),
    10_000,
    `the parent message for ${name}`,
  );
  const proposal = await h.slack.waitFor(
    () => proposalsIn(h, CHANNEL, parent.ts)[0],
    timeoutMs,
    `the proposal for ${name}`,
  );
  return { parent, proposal, proposalId: buttonsOf(proposal).autofix_approve!, ackMs: reply.ms };
}

/** The MLflow run's tags as a map. */
export async function runTags(trackingUri: string, runId: string): Promise<Record<string, string>> {
  const res = await fetch(`${trackingUri}/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(runId)}`);
  const body = (await res.json()) as { run: { data: { tags?: Array<{ key: string; value: string }> } } };
  return Object.fromEntries((body.run.data.tags ?? []).map((t) => [t.key, t.value]));
}

export interface SlackScene {
  k: Kube;
  ns: string;
  h: Harness;
}

export interface SlackSceneOptions {
  /** Deployments broken by a bad release (see brokenDeployment) before the bot starts. */
  broken: string[];
  /** More set-up in the namespace, alongside the broken deployments. */
  prepare?: (k: Kube, ns: string) => Promise<void>;
  /** The harness (AUTOFIX_NAMESPACES is the scene's namespace unless `env` says otherwise). */
  harness?: (ns: string) => HarnessOptions | Promise<HarnessOptions>;
}

/**
 * The Slack scenario most files share: a fresh namespace with broken deployments, a bot and a worker on the
 * Slack stand-in allowed in it, handed to `set` before the file's own beforeAll runs; torn down after.
 */
export function useSlackScene(prefix: string, opts: SlackSceneOptions, set: (s: SlackScene) => void): void {
  let k: Kube;
  let ns: string;
  let h: Harness | null = null;
  useNamespace(prefix, (kube, name) => {
    k = kube;
    ns = name;
  });
  beforeAll(async () => {
    await Promise.all([...opts.broken.map((name) => brokenDeployment(k, ns, name)), opts.prepare?.(k, ns)]);
    const harness = (await opts.harness?.(ns)) ?? { worker: true };
    h = await startHarness({ ...harness, env: { AUTOFIX_NAMESPACES: ns, ...harness.env } });
    set({ k, ns, h });
  }, 240_000);
  afterAll(async () => {
    await h?.close();
  });
}
