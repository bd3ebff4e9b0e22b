// One bot, two real clusters: the sandbox's (`alpha`) and a second control plane started here (`beta`), each with
// its own worker on the shared Redis. A command is routed to the named cluster's worker and applied there only;
// with two clusters and none named the bot asks which; a worker killed mid-job on one cluster does not hold up the
// other; an approval for a cluster whose worker is gone is refused and the proposal kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, deleteNamespace, kube, waitAvailable, type Kube } from './support/kube.js';
import { brokenDeployment, imageOf } from './support/slack-flow.js';
import {
  APPROVER,
  CHANNEL,
  buttonsOf,
  click,
  parentMessages,
  proposalsIn,
  slash,
  startHarness,
  type Harness,
} from './support/slack-harness.js';
import { startSecondCluster, type SecondCluster } from './support/second-cluster.js';
import { spawnWorker, type ChildWorker } from './support/spawn-worker.js';
import { waitFor } from './support/wait-for.js';
import { keySpace } from '../../src/queue/key-space.js';
import { readRegistrations } from '../../src/queue/worker-registry.js';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../tools/stand-ins/openai-stand-in.js';

let alpha: Kube;
let beta: Kube;
let second: SecondCluster;
let ns: string;
let h: Harness;
let betaWorker: ChildWorker;
let betaEnv: Record<string, string>;
let llm: OpenAiStandIn;

const generation = async (k: Kube, name: string): Promise<number> =>
  (await k.apps.readNamespacedDeployment({ name, namespace: ns })).metadata?.generation ?? 0;

beforeAll(async () => {
  [second, llm] = await Promise.all([startSecondCluster(), startOpenAiStandIn()]);
  alpha = kube();
  beta = kube(second.kubeconfig);
  // The same namespace and the same broken workloads on both clusters: only the cluster tells them apart.
  ns = await createNamespace(alpha, 'two');
  await beta.core.createNamespace({ body: { metadata: { name: ns } } });
  await Promise.all(
    [alpha, beta].flatMap((k) => ['web', 'api', 'cache'].map((name) => brokenDeployment(k, ns, name))),
  );
  h = await startHarness({ env: { AUTOFIX_CLUSTER: 'alpha', AUTOFIX_NAMESPACES: ns }, worker: true });
  // Beta's worker asks the LLM stand-in first, so a test can hold one of its investigations mid-job; a 503
  // makes it fall back to the rule engine at once. A short job lock lets a new worker take over a stalled job.
  betaEnv = {
    ...h.env,
    AUTOFIX_CLUSTER: 'beta',
    KUBECONFIG: second.kubeconfig,
    AUTOFIX_JOB_LOCK: '2s',
    OPENAI_API_KEY: llm.apiKey,
    OPENAI_BASE_URL: llm.url,
    AUTOFIX_LLM_MAX_RETRIES: '0',
    AUTOFIX_LLM_TIMEOUT_MS: '120000',
  };
  betaWorker = spawnWorker(betaEnv);
  await betaWorker.ready();
}, 300_000);

afterAll(async () => {
  await betaWorker?.kill('SIGKILL');
  await h?.close();
  await llm?.close();
  if (alpha && ns) await deleteNamespace(alpha, ns);
  await second?.stop();
});

const where = (m: { ts: string; threadTs: string | null }) => ({
  channel: CHANNEL,
  messageTs: m.ts,
  threadTs: m.threadTs ?? undefined,
});

describe('one bot, two clusters', () => {
  it('with two clusters served and none named, asks which, listing both; nothing is started', async () => {
    const before = parentMessages(h).length;
    const reply = await slash(h, `deployment/web -n ${ns}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatch(/Several clusters are served here: `alpha` \(1 live\), `beta` \(1 live\)/);
    expect(parentMessages(h)).toHaveLength(before);
  });

  it('`-c beta` is investigated and applied on beta by its worker; alpha’s twin is untouched', async () => {
    llm.push({ status: 503 });
    const alphaBefore = await generation(alpha, 'web');
    const betaBefore = await generation(beta, 'web');
    const before = new Set(parentMessages(h).map((m) => m.ts));
    const reply = await slash(h, `deployment/web -n ${ns} -c beta`);
    expect(reply.status).toBe(200);
    const parent = await h.slack.waitFor(
      () => parentMessages(h).find((m) => !before.has(m.ts) && m.text.includes('deployment/web')),
      10_000,
      'the parent message',
    );
    expect(parent.text).toMatch(/on cluster beta/);
    const proposal = await h.slack.waitFor(
      () => proposalsIn(h, CHANNEL, parent.ts)[0],
      120_000,
      'the proposal',
    );
    const id = buttonsOf(proposal).autofix_approve!;
    expect((await h.store.get(id))!.cluster).toBe('beta');

    await click(h, 'autofix_approve', id, APPROVER, where(proposal));
    await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, parent.ts).find((m) => m.text.includes('Applied fix')),
      90_000,
      'the apply result',
    );
    await waitAvailable(beta, ns, 'web');
    expect(await imageOf(beta, ns, 'web')).toBe('nginx:1.27');
    expect(await generation(beta, 'web')).toBe(betaBefore + 1);
    // Nothing was applied on alpha: the same-named deployment keeps the bad release and its generation.
    expect(await imageOf(alpha, ns, 'web')).toBe('nginx:1.99');
    expect(await generation(alpha, 'web')).toBe(alphaBefore);
    // Beta's queue carried the investigation and the apply; alpha's queue never saw either.
    const jobsOf = async (cluster: string) =>
      (await h.queueOf(cluster).getJobs(['completed', 'failed', 'active', 'waiting', 'delayed'])).map(
        (j) => `${j.name}:${String((j.data as { proposalId?: string }).proposalId ?? '')}`,
      );
    expect(await jobsOf('beta')).toContain(`apply:${id}`);
    expect((await jobsOf('alpha')).filter((j) => j.startsWith('investigate') || j.endsWith(id))).toEqual([]);
  });

  it('an approval for beta while beta’s worker is gone: refused with the reason, proposal kept, nothing applied', async () => {
    const before = new Set(parentMessages(h).map((m) => m.ts));
    llm.push({ status: 503 });
    expect((await slash(h, `deployment/api -n ${ns} --cluster=beta`)).status).toBe(200);
    const parent = await h.slack.waitFor(
      () => parentMessages(h).find((m) => !before.has(m.ts) && m.text.includes('deployment/api')),
      10_000,
      'the parent message',
    );
    const proposal = await h.slack.waitFor(
      () => proposalsIn(h, CHANNEL, parent.ts)[0],
      120_000,
      'the proposal',
    );
    const id = buttonsOf(proposal).autofix_approve!;
    const betaBefore = await generation(beta, 'api');

    // SIGTERM: a clean stop records the worker as stopped, so the bot sees beta unserved at once.
    await betaWorker.kill('SIGTERM');
    // Read from Redis, not assumed from the exit: the process awaited is npx, which may exit before its node child.
    await waitFor(
      async () => {
        const { workers } = await readRegistrations(h.redis, keySpace(h.prefix));
        const betas = workers.filter((w) => w.registration.cluster === 'beta');
        return betas.length > 0 && betas.every((w) => w.registration.state === 'stopped');
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'beta’s worker recorded stopped' },
    );
    const { responseId } = await click(h, 'autofix_approve', id, APPROVER, where(proposal));
    const answer = await h.slack.waitForResponse((r) => r.id === responseId, 10_000);
    expect(JSON.stringify(answer.body)).toMatch(/No worker serves cluster beta right now/);
    expect((await h.store.get(id))!.state).toBe('proposed');
    expect(await generation(beta, 'api')).toBe(betaBefore);
    expect(await imageOf(beta, ns, 'api')).toBe('nginx:1.99');
    // alpha's worker is still there, and a command for beta is now refused at once, not queued.
    const refused = await slash(h, `deployment/api -n ${ns} -c beta`);
    expect(refused.body).toMatch(/No worker serves cluster beta; last seen/);
  });

  it('beta’s worker killed mid-investigation holds up nothing on alpha; a new beta worker finishes the job', async () => {
    const before = new Set(parentMessages(h).map((m) => m.ts));
    const parentOf = (cluster: string) =>
      h.slack.waitFor(
        () =>
          parentMessages(h).find(
            (m) =>
              !before.has(m.ts) &&
              m.text.includes('deployment/cache') &&
              m.text.includes(`on cluster ${cluster}`),
          ),
        10_000,
        `the parent message on ${cluster}`,
      );
    // The last test stopped beta's worker; this one starts its own.
    betaWorker = spawnWorker(betaEnv);
    await betaWorker.ready();
    const seen = llm.requests.length;
    llm.push({ delayMs: 60_000, status: 503 }); // beta's investigation waits here…
    expect((await slash(h, `deployment/cache -n ${ns} -c beta`)).status).toBe(200);
    const betaParent = await parentOf('beta');
    await llm.waitForRequests(seen + 1);
    expect((await betaWorker.kill('SIGKILL')).signal).toBe('SIGKILL');

    // …while alpha's twin is investigated and proposed by alpha's worker, beta's job still stalled.
    expect((await slash(h, `deployment/cache -n ${ns} -c alpha`)).status).toBe(200);
    const alphaParent = await parentOf('alpha');
    await h.slack.waitFor(() => proposalsIn(h, CHANNEL, alphaParent.ts)[0], 60_000, 'alpha’s proposal');
    expect(proposalsIn(h, CHANNEL, betaParent.ts)).toHaveLength(0);

    llm.push({ status: 503 }); // …and the next beta worker falls back to the rule engine at once.
    betaWorker = spawnWorker(betaEnv);
    await betaWorker.ready();
    const proposal = await h.slack.waitFor(
      () => proposalsIn(h, CHANNEL, betaParent.ts)[0],
      60_000,
      'beta’s proposal from the new worker',
    );
    expect((await h.store.get(buttonsOf(proposal).autofix_approve!))!.cluster).toBe('beta');
    expect(proposalsIn(h, CHANNEL, betaParent.ts)).toHaveLength(1);
  });
});
