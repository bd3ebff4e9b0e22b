// The bot over HTTP exactly as Slack calls it: signatures, the 3 s ack, parsing refusals, one investigation per target.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvestigateJob } from '../../src/queue/jobs.js';
import {
  CHANNEL,
  REQUESTER,
  parentMessages,
  slash,
  startHarness,
  textOf,
  type Harness,
} from './support/slack-harness.js';
import { waitFor } from './support/wait-for.js';

let h: Harness;
beforeAll(async () => {
  // A worker announces itself but consumes nothing: the jobs the bot enqueues stay in the queue to be read.
  h = await startHarness({
    env: { AUTOFIX_NAMESPACES: 'shop,payments', AUTOFIX_CHANNEL_NAMESPACES: 'C0SHOP=shop' },
    announce: true,
  });
});
afterAll(async () => {
  await h.close();
});

/** The ephemeral answer Slack would show: the ack body. */
function ackText(r: { json: unknown }): string {
  const j = r.json as { response_type?: string; text?: string; blocks?: unknown[] } | null;
  expect(j?.response_type).toBe('ephemeral');
  return `${j?.text ?? ''}\n${JSON.stringify(j?.blocks ?? [])}`;
}

describe('request authenticity', () => {
  it('refuses a forged signature with 401 and does nothing', async () => {
    const r = await slash(h, 'deployment/web -n shop', REQUESTER, CHANNEL, { forgeSignature: true });
    expect(r.status).toBe(401);
    expect(h.slack.calls('chat.postMessage')).toHaveLength(0);
  });

  it('refuses a stale timestamp (replay) with 401', async () => {
    const r = await slash(h, 'deployment/web -n shop', REQUESTER, CHANNEL, { staleBySeconds: 6 * 60 });
    expect(r.status).toBe(401);
    expect(h.slack.calls('chat.postMessage')).toHaveLength(0);
  });
});

describe('bad input gets an ephemeral message with the right form, and nothing is enqueued', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['empty', '', /No target given/],
    ['unknown kind', 'cronjob/agent -n shop', /Unsupported kind/],
    ['bad DNS-1123 name', 'deployment/Web_1 -n shop', /not a valid object name/],
    ['missing namespace, no channel default', 'deployment/web', /No namespace given/],
    ['namespace not allowed', 'deployment/web -n kube-system', /not in kube-autofix's allowlist/],
    ['triage of a namespace not allowed', '-n kube-system', /not in kube-autofix's allowlist/],
    ['pod in a namespace not allowed', 'pod/web-1 -n kube-system', /not in kube-autofix's allowlist/],
    ['extra junk', 'deployment/web -n shop please', /Unexpected/],
    ['very long', `deployment/${'a'.repeat(600)}`, /limit is 500/],
    ['unicode lookalike', 'deployment/wеb -n shop', /U\+0435/],
    ['shell injection', 'deployment/web -n shop; kubectl delete ns shop', /cannot appear/],
    ['mention injection', 'deployment/web -n <!channel>', /Mentions/],
  ];
  it.each(cases)('%s', async (_name, text, expected) => {
    const r = await slash(h, text);
    expect(r.status).toBe(200);
    const shown = ackText(r);
    expect(shown).toMatch(expected);
    expect(shown).toContain('Usage');
    expect(await h.queue.getJobCounts('waiting', 'active', 'delayed')).toEqual({
      waiting: 0,
      active: 0,
      delayed: 0,
    });
  });

  it('help is ephemeral and lists the allowed namespaces', async () => {
    const r = await slash(h, 'help', REQUESTER, 'C0SHOP');
    const shown = ackText(r);
    expect(shown).toContain('`shop`');
    expect(shown).toMatch(/default namespace is `shop`/);
  });
});

describe('a valid command', () => {
  it('acks within 3 s, posts the parent message, enqueues one investigation job', async () => {
    const before = parentMessages(h).length;
    const r = await slash(h, 'deployment/web -n shop');
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(3000);
    expect(r.body).toBe('');
    const parent = await h.slack.waitFor(() => parentMessages(h)[before], 5000, 'the parent message');
    expect(textOf(parent)).toMatch(/Investigating.*deployment\/web.*shop.*requested by <@U0REQUESTER>/s);
    const jobs = await waitFor(
      async () => {
        const waiting = await h.queue.getJobs(['waiting']);
        return waiting.length > 0 ? waiting : null;
      },
      { what: 'the investigation job', timeoutMs: 5000, intervalMs: 50 },
    );
    expect(jobs).toHaveLength(1);
    const data = InvestigateJob.parse(jobs[0]!.data);
    expect(data).toMatchObject({
      target: { kind: 'Deployment', name: 'web', namespace: 'shop' },
      requestedBy: REQUESTER,
      thread: { channel: CHANNEL, threadTs: parent.ts },
    });
  });

  it('a second /autofix for the same target points to the running thread and starts nothing', async () => {
    const parents = parentMessages(h).length;
    const responses = h.slack.responses().length;
    const r = await slash(h, 'deploy/web --namespace=shop', 'U0SOMEONE');
    expect(r.status).toBe(200);
    const answer = await h.slack.waitFor(() => h.slack.responses()[responses], 5000, 'the pointer');
    expect(JSON.stringify(answer.body)).toMatch(/already being investigated.*archives\/C0OPS/);
    expect(answer.body.response_type).toBe('ephemeral');
    expect(parentMessages(h)).toHaveLength(parents);
    expect(await h.queue.getJobs(['waiting'])).toHaveLength(1);
  });

  it('uses the channel default namespace when -n is left out', async () => {
    const r = await slash(h, 'sts/db', REQUESTER, 'C0SHOP');
    expect(r.status).toBe(200);
    const parent = await h.slack.waitFor(() => parentMessages(h, 'C0SHOP')[0], 5000, 'the parent message');
    expect(textOf(parent)).toContain('statefulset/db');
    await waitFor(async () => (await h.queue.getJobs(['waiting'])).length === 2, {
      what: 'the second job',
      timeoutMs: 5000,
      intervalMs: 50,
    });
  });

  it('counts commands by result in /metrics, and /healthz reports Redis up', async () => {
    const base = h.botUrl.replace('/slack/events', '');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/autofix_commands_total\{result="invalid"\} 12/);
    expect(metrics).toMatch(/autofix_commands_total\{result="enqueued"\} 2/);
    expect(metrics).toMatch(/autofix_commands_total\{result="already_running"\} 1/);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, redis: 'up' });
  });
});
