// On the sandbox's kube-apiserver and MLflow: `history pod/<name>` (and replicaset/) lists the owning Deployment's
// past investigations and names the resolution; pods no workload owns or that do not exist get a clear error;
// a workload's history needs no cluster at all. In Slack (stand-in), the worker resolves it and answers the requester.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoryOutput } from '../../src/cli/history-command.js';
import { sandboxEnv } from './sandbox-env.js';
import { type Kube, useNamespace } from './support/kube.js';
import { runCli, runHistory } from './support/run-cli.js';
import { brokenDeployment } from './support/slack-flow.js';
import {
  CHANNEL,
  REQUESTER,
  parentMessages,
  slash,
  startHarness,
  type Harness,
} from './support/slack-harness.js';

let k: Kube;
let ns: string;
let runId: string;
const EXPERIMENT = `it-history-pod-${randomUUID()}`;

const env = (over: Record<string, string> = {}) => ({
  KUBECONFIG: sandboxEnv().KUBECONFIG,
  AUTOFIX_NAMESPACES: ns,
  MLFLOW_TRACKING_URI: sandboxEnv().MLFLOW_TRACKING_URI,
  MLFLOW_EXPERIMENT_NAME: EXPERIMENT,
  ...over,
});

useNamespace('hist-pod', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  await brokenDeployment(k, ns, 'web');
  // The past investigation: a real diagnose, recorded as an MLflow run tagged with deployment/web.
  const past = await runCli('diagnose', 'deployment/web', { namespace: ns }, env());
  expect(past.json.outcome).toBe('proposed');
  runId = past.json.tracking!.runId;
}, 180_000);

async function createBarePod(name: string): Promise<void> {
  await k.core.createNamespacedPod({
    namespace: ns,
    body: {
      metadata: { name },
      spec: { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
    },
  });
}

async function podOfWeb(): Promise<string> {
  const pods = await k.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=web' });
  return pods.items[0]!.metadata!.name!;
}

describe('history pod/<name>', () => {
  it("lists the owning Deployment's past investigation and says which workload the pod belongs to", async () => {
    const pod = await podOfWeb();
    const json = await runHistory(`pod/${pod}`, { namespace: ns, json: true }, env());
    expect(json.code).toBe(0);
    const out = HistoryOutput.parse(JSON.parse(json.stdout));
    expect(out.target).toEqual({ kind: 'Deployment', name: 'web', namespace: ns });
    expect(out.resolvedFrom?.from).toEqual({ kind: 'Pod', name: pod, namespace: ns });
    expect(out.resolvedFrom?.via).toMatch(
      new RegExp(`^pod/${pod} → replicaset/web-[a-z0-9]+ → deployment/web$`),
    );
    expect(out.investigations.map((p) => p.runId)).toEqual([runId]);

    const human = await runHistory(`pod/${pod}`, { namespace: ns }, env());
    expect(human.code).toBe(0);
    const [head, count] = human.stdout.split('\n');
    expect(head).toMatch(
      new RegExp(`^pod/${pod} belongs to deployment/web \\(.+\\); history of deployment/web:$`),
    );
    expect(count).toBe(`1 past investigation(s) of deployment/web in ${ns}, newest first:`);
  }, 60_000);

  it('replicaset/<name> resolves the same way', async () => {
    const rs = (await k.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: 'app=web' })).items[0]!;
    const r = await runHistory(`rs/${rs.metadata!.name}`, { namespace: ns, json: true }, env());
    expect(r.code).toBe(0);
    const out = HistoryOutput.parse(JSON.parse(r.stdout));
    expect(out.target.name).toBe('web');
    expect(out.resolvedFrom?.via).toBe(`replicaset/${rs.metadata!.name} → deployment/web`);
    expect(out.investigations.map((p) => p.runId)).toEqual([runId]);
  }, 60_000);

  it('a pod no workload owns, or one that does not exist, is a clear error (exit 2) saying what to do', async () => {
    await createBarePod('bare');
    const bare = await runHistory('pod/bare', { namespace: ns, json: true }, env());
    expect(bare.code).toBe(2);
    expect(JSON.parse(bare.stdout).error).toBe(
      'Cannot find the workload pod/bare belongs to: pod/bare has no controlling owner, so there is no workload to investigate or to list the history of.',
    );
    expect(bare.stderr).toContain(`ask for it directly: kube-autofix history deployment/<name> -n ${ns}`);
    const gone = await runHistory('pod/web-5d8c9f7b6d-x7k2p', { namespace: ns }, env());
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/Pod "web-5d8c9f7b6d-x7k2p" was not found in namespace/);
    expect(gone.stdout).toBe('');
  }, 60_000);

  it('deployment/<name> is read from MLflow alone: no kubeconfig needed', async () => {
    const r = await runHistory(
      'deployment/web',
      { namespace: ns, json: true },
      env({ KUBECONFIG: '/nonexistent' }),
    );
    expect(r.code).toBe(0);
    const out = HistoryOutput.parse(JSON.parse(r.stdout));
    expect(out.resolvedFrom).toBeNull();
    expect(out.investigations.map((p) => p.runId)).toEqual([runId]);
  }, 60_000);
});

describe('/autofix history pod/<name>', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { AUTOFIX_NAMESPACES: ns, MLFLOW_EXPERIMENT_NAME: EXPERIMENT },
      worker: true,
    });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("the worker resolves it and shows the owner's history to the requester only, naming the resolution", async () => {
    const pod = await podOfWeb();
    const reply = await slash(h, `history pod/${pod} -n ${ns}`);
    expect(reply.status).toBe(200);
    const ack = await h.slack.waitForResponse((r) =>
      JSON.stringify(r.body).includes('Looking up which workload'),
    );
    expect(ack.body.response_type).toBe('ephemeral');
    const answer = await h.slack.waitFor(
      () => h.slack.ephemerals(CHANNEL, REQUESTER).find((e) => e.text.includes('past investigation')),
      30_000,
      'the history, posted by the worker',
    );
    expect(answer.text).toBe(`1 past investigation(s) of deployment/web in ${ns}`);
    const blocks = JSON.stringify(answer.blocks);
    expect(blocks).toMatch(new RegExp(`pod/${pod} → replicaset/web-[a-z0-9]+ → deployment/web`));
    expect(blocks).toContain(`/runs/${runId}`);
    // Only to the requester: nothing was posted in the channel.
    expect(parentMessages(h)).toEqual([]);
  }, 60_000);

  it('a pod no workload owns gets an ephemeral refusal saying what to do', async () => {
    await createBarePod('loner');
    await slash(h, `history pod/loner -n ${ns}`);
    const refusal = await h.slack.waitFor(
      () => h.slack.ephemerals(CHANNEL, REQUESTER).find((e) => JSON.stringify(e).includes('pod/loner')),
      30_000,
      'the refusal, posted by the worker',
    );
    const said = JSON.stringify(refusal);
    expect(said).toContain('pod/loner has no controlling owner');
    expect(said).toContain(`/autofix history deployment/&lt;name&gt; -n ${ns}`);
    expect(parentMessages(h)).toEqual([]);
  }, 60_000);
});
