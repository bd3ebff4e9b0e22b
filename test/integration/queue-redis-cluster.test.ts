// BullMQ on a real Redis Cluster (three masters on loopback, started here): each cluster's queue under its hash
// tag sits in one slot; /autofix runs end to end through it (investigated, proposed, approved, applied, healed —
// read from the cluster), and a worker SIGKILLed mid-investigation loses its stalled job to another.
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../tools/stand-ins/openai-stand-in.js';
import { startOwnRedisCluster, type OwnRedisCluster } from '../../tools/stand-ins/redis-cluster.js';
import { waitAvailable, type Kube, useNamespace } from './support/kube.js';
import { askForFix, brokenDeployment, imageOf } from './support/slack-flow.js';
import {
  APPROVER,
  CHANNEL,
  buttonsOf,
  click,
  parentMessages,
  proposalsIn,
  slash,
  startHarness,
  textOf,
  type Harness,
} from './support/slack-harness.js';
import { spawnWorker, type ChildWorker } from './support/spawn-worker.js';

let k: Kube;
let ns: string;
let h: Harness;
let rc: OwnRedisCluster;
let llm: OpenAiStandIn;
const children: ChildWorker[] = [];

useNamespace('rcluster', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  [rc, llm] = await Promise.all([startOwnRedisCluster(3), startOpenAiStandIn()]);
  await Promise.all([brokenDeployment(k, ns, 'web'), brokenDeployment(k, ns, 'victim')]);
  h = await startHarness({
    env: {
      REDIS_MODE: 'cluster',
      REDIS_URL: rc.url,
      AUTOFIX_NAMESPACES: ns,
      AUTOFIX_JOB_LOCK: '2s',
      AUTOFIX_ROLLOUT_TIMEOUT: '60s',
      // The LLM engine lets a test hold an investigation mid-job (a delayed answer), so a kill lands there.
      OPENAI_API_KEY: llm.apiKey,
      OPENAI_BASE_URL: llm.url,
      AUTOFIX_LLM_MAX_RETRIES: '0',
      AUTOFIX_LLM_TIMEOUT_MS: '120000',
    },
  });
}, 240_000);

afterAll(async () => {
  for (const c of children) await c.kill('SIGKILL');
  await h?.close();
  await llm?.close();
  await rc?.stop();
});

const where = (m: { ts: string; threadTs: string | null }) => ({
  channel: CHANNEL,
  messageTs: m.ts,
  threadTs: m.threadTs ?? undefined,
});

/** Every key of the harness's prefix on every master, with the master's port. */
async function keysByNode(): Promise<Array<{ port: number; key: string }>> {
  const cluster = h.redis as Cluster;
  const out: Array<{ port: number; key: string }> = [];
  for (const node of cluster.nodes('master'))
    for (const pattern of [`${h.prefix}:*`, `{${h.prefix}}:*`, `{${h.prefix}:*`])
      for (const key of await node.keys(pattern)) out.push({ port: node.options.port!, key });
  return out;
}

describe('BullMQ on a real Redis Cluster', () => {
  it('runs /autofix end to end: one proposal, approved, applied once, the deployment healed', async () => {
    expect(h.redis).toBeInstanceOf(Cluster);
    await h.startWorker();
    llm.push({ status: 503 }); // the LLM answers 503: the rule engine's fallback proposes at once
    const asked = await askForFix(h, ns, 'web');
    expect(textOf(asked.proposal)).toMatch(/nginx:1\.27/);
    await click(h, 'autofix_approve', asked.proposalId, APPROVER, where(asked.proposal));
    const result = await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, asked.parent.ts).find((m) => m.text.includes('Applied fix')),
      90_000,
      'the apply result',
    );
    expect(textOf(result)).toMatch(/rollout healthy/);
    await waitAvailable(k, ns, 'web');
    expect(await imageOf(k, ns, 'web')).toBe('nginx:1.27');
    expect((await h.store.get(asked.proposalId))!.state).toBe('applied');

    // The queue's keys (jobs, events, claims, messages) all carry the cluster's hash tag: one slot, one master.
    const keys = await keysByNode();
    const queueKeys = keys.filter((x) => x.key.startsWith(`{${h.prefix}:${h.cluster}}:`));
    expect(queueKeys.map((x) => x.key)).toContainEqual(expect.stringMatching(/:autofix:meta$/));
    const slots = new Set(
      await Promise.all(queueKeys.map(async (x) => Number(await h.redis.call('CLUSTER', 'KEYSLOT', x.key)))),
    );
    expect(slots.size).toBe(1);
    expect(new Set(queueKeys.map((x) => x.port)).size).toBe(1);
    // Proposals are plain keys hashed across the masters; the store found them from any slot.
    expect(keys.some((x) => x.key.startsWith(`${h.prefix}:proposal:`))).toBe(true);
  });

  it('a worker SIGKILLed mid-investigation: its stalled job is taken over by another and finished once', async () => {
    await h.worker?.stop();
    h.worker = null;
    const first = spawnWorker(h.env);
    children.push(first);
    await first.ready();
    const seen = llm.requests.length;
    llm.push({ delayMs: 60_000, status: 503 }); // the first worker waits here…
    llm.push({ status: 503 }); // …the second falls back to the rule engine at once.
    expect((await slash(h, `deployment/victim -n ${ns}`)).status).toBe(200);
    const parent = await h.slack.waitFor(
      () => parentMessages(h).find((m) => m.text.includes('deployment/victim')),
      10_000,
      'the parent',
    );
    await llm.waitForRequests(seen + 1);
    expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL');
    expect(proposalsIn(h, CHANNEL, parent.ts)).toHaveLength(0);

    await h.startWorker();
    const proposal = await h.slack.waitFor(
      () => proposalsIn(h, CHANNEL, parent.ts)[0],
      60_000,
      'the proposal from the second worker',
    );
    expect(textOf(h.slack.messagesIn(CHANNEL, parent.ts)[0]!)).toMatch(
      /resumed after an interruption \(attempt 2\)/,
    );
    await click(h, 'autofix_approve', buttonsOf(proposal).autofix_approve!, APPROVER, where(proposal));
    await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, parent.ts).find((m) => m.text.includes('Applied fix')),
      90_000,
      'the apply result',
    );
    await waitAvailable(k, ns, 'victim');
    expect(await imageOf(k, ns, 'victim')).toBe('nginx:1.27');
    expect(proposalsIn(h, CHANNEL, parent.ts)).toHaveLength(1);
  });
});
