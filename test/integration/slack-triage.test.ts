// On the sandbox through the Slack stand-in: `/autofix -n <ns>` lists exactly the broken workloads; Investigate and pod/<name> reach a proposal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Target } from '../../src/domain/index.js';
import {
  createNamespace,
  deleteNamespace,
  deployment,
  waitAvailable,
  type Kube,
  useNamespace,
} from './support/kube.js';
import { brokenDeployment } from './support/slack-flow.js';
import {
  CHANNEL,
  REQUESTER,
  click,
  parentMessages,
  proposalsIn,
  slash,
  startHarness,
  textOf,
  type Harness,
} from './support/slack-harness.js';

let k: Kube;
let ns: string;
let calm: string;
let h: Harness;
const HEALTHY = ['cart', 'catalog', 'checkout'];
const BROKEN = ['api', 'web'];

useNamespace('triage', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  await Promise.all([
    ...HEALTHY.map(async (name) => {
      await k.apps.createNamespacedDeployment({
        namespace: ns,
        body: deployment(name, { image: 'nginx:1.27' }),
      });
      await waitAvailable(k, ns, name);
    }),
    ...BROKEN.map((name) => brokenDeployment(k, ns, name)),
  ]);
  calm = await createNamespace(k, 'calm');
  await k.apps.createNamespacedDeployment({
    namespace: calm,
    body: deployment('quiet', { image: 'nginx:1.27' }),
  });
  await waitAvailable(k, calm, 'quiet');
  h = await startHarness({ env: { AUTOFIX_NAMESPACES: `${ns},${calm}` }, worker: true });
});

afterAll(async () => {
  await h?.close();
  await deleteNamespace(k, calm);
});

/** The Investigate buttons (section accessories) of a message, as the targets they carry. */
function investigateTargets(m: { blocks: unknown[] }): Array<{ target: Target; value: string }> {
  return (m.blocks as Array<{ accessory?: { action_id?: string; value?: string } }>).flatMap((b) =>
    b.accessory?.action_id === 'autofix_investigate' && b.accessory.value
      ? [{ target: Target.parse(JSON.parse(b.accessory.value)), value: b.accessory.value }]
      : [],
  );
}

describe('/autofix -n <ns>: namespace triage in Slack', () => {
  it('posts exactly the broken deployments with Investigate buttons; a click reaches a proposal in its own thread', async () => {
    const before = new Set(parentMessages(h).map((m) => m.ts));
    const reply = await slash(h, `-n ${ns}`);
    expect(reply.status).toBe(200);
    const listing = await h.slack.waitFor(
      () => parentMessages(h).find((m) => !before.has(m.ts) && m.text.includes('Triage of')),
      30_000,
      'the triage listing',
    );
    expect(listing.text).toContain(
      `${BROKEN.length} of ${BROKEN.length + HEALTHY.length} workloads unhealthy`,
    );
    const buttons = investigateTargets(listing);
    expect(buttons.map((b) => b.target.name).sort()).toEqual(BROKEN);
    expect(buttons.every((b) => b.target.kind === 'Deployment' && b.target.namespace === ns)).toBe(true);
    expect(textOf(listing)).toMatch(/image_pull/);

    const web = buttons.find((b) => b.target.name === 'web')!;
    const clicked = await click(h, 'autofix_investigate', web.value, REQUESTER, {
      channel: CHANNEL,
      messageTs: listing.ts,
    });
    expect(clicked.reply.status).toBe(200);
    const parent = await h.slack.waitFor(
      () =>
        parentMessages(h).find((m) => !before.has(m.ts) && m.text.includes('Investigating deployment/web')),
      10_000,
      'the investigation thread for web',
    );
    const proposal = await h.slack.waitFor(
      () => proposalsIn(h, CHANNEL, parent.ts)[0],
      120_000,
      'the proposal for web',
    );
    expect(textOf(proposal)).toContain('nginx:1.27');

    // A second click on the same button while it runs starts nothing new (one investigation per target).
    const again = await click(h, 'autofix_investigate', web.value, REQUESTER, {
      channel: CHANNEL,
      messageTs: listing.ts,
    });
    expect(again.reply.status).toBe(200);
    const refusal = await h.slack.waitFor(
      () => h.slack.responses(again.responseId)[0],
      10_000,
      'the already-running answer',
    );
    expect(JSON.stringify(refusal)).toMatch(/already being investigated/);
    expect(parentMessages(h).filter((m) => m.text.includes('Investigating deployment/web'))).toHaveLength(1);
  });

  it('/autofix pod/<name> investigates the owning Deployment and says how it got there', async () => {
    const pods = (await k.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=api' })).items;
    const pod = pods[0]!.metadata!.name!;
    const reply = await slash(h, `pod/${pod} -n ${ns}`);
    expect(reply.status).toBe(200);
    const parent = await h.slack.waitFor(
      () => parentMessages(h).find((m) => m.text.includes(`pod/${pod}`)),
      10_000,
      'the parent message for the pod',
    );
    const resolved = await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, parent.ts).find((m) => m.text.includes('→ deployment/api')),
      30_000,
      'the resolution note',
    );
    expect(resolved.text).toMatch(new RegExp(`pod/${pod} → replicaset/api-[a-z0-9]+ → deployment/api`));
    const proposal = await h.slack.waitFor(
      () => proposalsIn(h, CHANNEL, parent.ts)[0],
      120_000,
      'the proposal for api',
    );
    expect(textOf(proposal)).toMatch(/deployment\/api/);
  });

  it('a healthy namespace gets one short line and no buttons', async () => {
    expect((await slash(h, `-n ${calm}`)).status).toBe(200);
    const listing = await h.slack.waitFor(
      () => parentMessages(h).find((m) => m.text.includes(calm) && m.text.includes('healthy')),
      30_000,
      'the healthy answer',
    );
    expect(listing.text).toContain('all 1 workloads healthy');
    expect(investigateTargets(listing)).toEqual([]);
  });

  it('an Investigate click for a namespace outside the allowlist is refused and starts nothing', async () => {
    const before = parentMessages(h).length;
    const value = JSON.stringify({ kind: 'Deployment', name: 'coredns', namespace: 'kube-system' });
    const clicked = await click(h, 'autofix_investigate', value, REQUESTER, {
      channel: CHANNEL,
      messageTs: '1.1',
    });
    expect(clicked.reply.status).toBe(200);
    const answer = await h.slack.waitFor(
      () => h.slack.responses(clicked.responseId)[0],
      10_000,
      'the refusal',
    );
    expect(JSON.stringify(answer)).toMatch(/kube-system is no longer in kube-autofix's allowlist/);
    expect(parentMessages(h)).toHaveLength(before);
  });

  it('/autofix pod/<name> of a bare pod is refused in the thread with what to give instead', async () => {
    await k.core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'lonely' }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
    });
    expect((await slash(h, `pod/lonely -n ${ns}`)).status).toBe(200);
    const parent = await h.slack.waitFor(
      () => parentMessages(h).find((m) => m.text.includes('pod/lonely')),
      10_000,
      'the parent message for the bare pod',
    );
    const refusal = await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, parent.ts)[0],
      30_000,
      'the refusal in the thread',
    );
    expect(textOf(refusal)).toMatch(
      /pod\/lonely has no controlling owner, so there is no workload to investigate/,
    );
    expect(proposalsIn(h, CHANNEL, parent.ts)).toEqual([]);
  });
});
