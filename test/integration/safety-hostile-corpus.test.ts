// The hostile-changes corpus on the sandbox: each case against a real copy of its scene, and every change the
// policy lets through dry-run on the kube-apiserver, whose stored object is judged again. No hostile change
// is accepted unflagged; every benign one is a change the server accepts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateChange } from '../../src/agent/validate/validate-change.js';
import type { KubeObject } from '../../src/domain/index.js';
import type { Cluster } from '../../src/k8s/cluster.js';
import { createKubeCluster } from '../../src/k8s/kube-cluster.js';
import { deepEqual } from '../../src/domain/json-access.js';
import { redactObject } from '../../src/safety/redact.js';
import {
  caseReply,
  hostileCorpus,
  hostileLive,
  previousOf,
  proposeReply,
  sceneTarget,
  type HostileCase,
  type Scene,
  type Verdict,
} from '../fixtures/hostile-judge.js';
import { policyConfig, webServices } from '../fixtures/policy-fixtures.js';
import { type Kube, useNamespace } from './support/kube.js';

let k: Kube;
let ns: string;
let cluster: Cluster;

useNamespace('hostile-corpus', (client, name) => {
  k = client;
  ns = name;
});

const cases = hostileCorpus().cases;
const SCENES = [...new Set(cases.map((c) => c.scene ?? 'deployment'))];
/** The four Deployment scenes cannot share a name in one namespace. */
const nameOf = (scene: Scene): string =>
  ['deployment', 'statefulset', 'daemonset'].includes(scene) ? 'web' : `web-${scene}`;

/**
 * Each scene as the server keeps it (defaults filled in), with its revision 3 derived from that copy. The
 * scenes' images are not in the sandbox's catalog, so their pods never run: the status the policy reads
 * (pods available, a DaemonSet's 40 nodes) is the fixture's, and what the server decides is the object.
 */
const scenes = new Map<Scene, { live: KubeObject; previous: KubeObject }>();

/** The fixture without what only the server may set. */
function body(scene: Scene): Record<string, unknown> {
  const d = hostileLive(scene) as unknown as {
    metadata: Record<string, unknown>;
    status?: unknown;
  };
  const { annotations } = d.metadata as { annotations: Record<string, string> };
  delete annotations['deployment.kubernetes.io/revision'];
  d.metadata = { name: nameOf(scene), namespace: ns, labels: d.metadata.labels, annotations };
  delete d.status;
  return d;
}

const kindOf = (scene: Scene): 'Deployment' | 'StatefulSet' | 'DaemonSet' =>
  scene === 'statefulset' ? 'StatefulSet' : scene === 'daemonset' ? 'DaemonSet' : 'Deployment';

async function create(scene: Scene): Promise<KubeObject> {
  const b = body(scene) as never;
  if (scene === 'statefulset') await k.apps.createNamespacedStatefulSet({ namespace: ns, body: b });
  else if (scene === 'daemonset') await k.apps.createNamespacedDaemonSet({ namespace: ns, body: b });
  else await k.apps.createNamespacedDeployment({ namespace: ns, body: b });
  const live = await cluster.getWorkload({ kind: kindOf(scene), name: nameOf(scene), namespace: ns });
  if (live === null) throw new Error(`the ${scene} scene was created but cannot be read back`);
  return { ...live, status: hostileLive(scene).status };
}

beforeAll(async () => {
  cluster = createKubeCluster({ kubeconfig: k.kubeconfig });
  for (const scene of SCENES) {
    const live = await create(scene);
    scenes.set(scene, { live, previous: previousOf(live) });
  }
});

const figures = {
  hostile: 0,
  unflagged: 0,
  safe: 0,
  accepted: 0,
  dryRun: 0,
  serverRefused: 0,
  rejudged: 0,
  storedRefused: 0,
};

async function judgeOnSandbox(c: HostileCase): Promise<{ verdict: Verdict; messages: string[] }> {
  const scene = scenes.get(c.scene ?? 'deployment')!;
  const target = sceneTarget(scene.live, ns);
  const proposed = proposeReply(caseReply(c, scene.live, scene.previous), scene.live, target);
  if ('refused' in proposed) return { verdict: 'refused', messages: [proposed.refused] };
  // The object the dry-run returns, to count the cases where the server's spec is not the judged one.
  const seen: { stored?: KubeObject } = {};
  const recording: Cluster = {
    ...cluster,
    async patchWorkload(t, ops, opts) {
      const res = await cluster.patchWorkload(t, ops, opts);
      if (res.ok && opts.dryRun) seen.stored = res.object;
      return res;
    },
  };
  const v = await validateChange({
    target,
    change: proposed.change,
    live: proposed.evidence.workload,
    proposed: proposed.patched,
    sealed: { live: scene.live, templates: [scene.previous] },
    services: webServices(),
    policy: policyConfig(c.policy),
    cluster: recording,
  });
  if (seen.stored && !deepEqual(redactObject(seen.stored).spec, proposed.patched.spec)) figures.rejudged += 1;
  if (v.validation.dryRun.message !== 'not run: an earlier check failed') figures.dryRun += 1;
  if (v.errors.some((e) => e.startsWith('dry-run:'))) figures.serverRefused += 1;
  if (v.errors.some((e) => e.includes('as the server would store it'))) figures.storedRefused += 1;
  if (v.errors.length > 0) return { verdict: 'refused', messages: v.errors };
  return v.validation.flags.length > 0
    ? { verdict: 'flagged', messages: v.validation.flags }
    : { verdict: 'accepted', messages: [] };
}

describe('hostile-changes corpus on the sandbox', () => {
  it.each(cases.map((c) => [c.verdict, c.class, c.name, c] as const))(
    '%s (%s): %s',
    async (_v, _k, _n, c) => {
      const judged = await judgeOnSandbox(c);
      if (c.verdict === 'accepted') {
        figures.safe += 1;
        if (judged.verdict === 'accepted') figures.accepted += 1;
        expect(judged).toEqual({ verdict: 'accepted', messages: [] });
      } else {
        figures.hostile += 1;
        if (judged.verdict === 'accepted') figures.unflagged += 1;
        expect(judged.verdict).not.toBe('accepted');
      }
    },
  );
});

afterAll(() => {
  console.log(
    `hostile-changes corpus on the sandbox: ${figures.hostile} hostile, accepted unflagged: ${figures.unflagged}; ` +
      `${figures.safe} benign, ${figures.accepted} accepted; ${figures.dryRun} reached the server's dry-run, ` +
      `${figures.serverRefused} refused by it; ${figures.rejudged} stored a spec other than the judged one and were judged again, ` +
      `${figures.storedRefused} refused on the object the server would store`,
  );
  expect(figures.unflagged).toBe(0);
});
