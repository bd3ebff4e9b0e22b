import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlertReceiver, jobFrom, MAX_BODY_BYTES } from '../../../../src/bot/alerts/alert-receiver.js';
import type { AlertsConfig } from '../../../../src/config/config.js';
import { createLogger } from '../../../../src/observability/logger.js';
import { createMetrics, type Metrics } from '../../../../src/observability/metrics.js';
import type { AlertIncidents, ItemResult, StepResult } from '../../../../src/queue/alert-incidents.js';
import type { AlertJob } from '../../../../src/queue/alert-queue.js';
import { RULE_LABELS, amAlert, amPayload } from '../../../fixtures/alertmanager.js';

const TOKEN = 'test-token-0123456789abcdef';
const alerts: AlertsConfig = {
  token: TOKEN,
  routes: { shop: 'C0SHOP', '*': 'C0OPS' },
  cooldownSeconds: 1800,
  maxPerMinute: 10,
};

interface Rig {
  url: string;
  metrics: Metrics;
  queued: Array<{ job: AlertJob; jobId: string }>;
  steps: number;
  undone: string[][];
}

let server: Server | null = null;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

async function rig(
  opts: { step?: (n: number) => ItemResult | 'dup' | 'throw'; addFails?: boolean } = {},
): Promise<Rig> {
  const r: Rig = { url: '', metrics: createMetrics({ defaults: false }), queued: [], steps: 0, undone: [] };
  const incidents: Pick<AlertIncidents, 'step' | 'undo'> = {
    async step(items): Promise<StepResult> {
      r.steps += 1;
      const first = opts.step?.(0) ?? 'open';
      if (first === 'throw') throw new Error('redis down');
      if (first === 'dup') return { duplicate: true };
      return {
        duplicate: false,
        results: items.map((it, i) =>
          it.kind === 'say' ? 'say' : ((opts.step?.(i) as ItemResult) ?? 'open'),
        ),
      };
    },
    async undo(_o, incs) {
      r.undone.push(incs);
    },
  };
  const handler = createAlertReceiver({
    config: { alerts, namespaces: ['shop', 'pay'], cluster: 'default' },
    incidents,
    queue: {
      async add(job, jobId) {
        if (opts.addFails) throw new Error('queue down');
        r.queued.push({ job, jobId });
      },
    },
    metrics: r.metrics,
    logger: createLogger('silent'),
  });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts/alertmanager`;
  return r;
}

const post = (r: Rig, body: string | Buffer, auth: string | null = `Bearer ${TOKEN}`) =>
  fetch(r.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body,
  });

const crash = (pod: string, ns = 'shop') => amAlert(RULE_LABELS.KubePodCrashLooping(ns, pod));
const metric = async (m: Metrics, name: string, labels: string) => {
  const text = await m.registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
};

describe('the Alertmanager receiver', () => {
  it('accepts a webhook: one step, one job, 200 with what it decided', async () => {
    const r = await rig();
    const res = await post(r, JSON.stringify(amPayload([crash('web-7d4b9c8f6-x2k9p')])));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'accepted', alerts: 1, investigations: 1 });
    expect(r.queued).toHaveLength(1);
    expect(r.queued[0]!.jobId).toMatch(/^alert__[0-9a-f]{40}-\d+$/);
    expect(r.queued[0]!.job.open[0]).toMatchObject({
      channel: 'C0SHOP',
      ref: { kind: 'Pod', name: 'web-7d4b9c8f6-x2k9p', namespace: 'shop' },
      trigger: { kind: 'alert', alertname: 'KubePodCrashLooping', severity: 'warning' },
    });
    expect(await metric(r.metrics, 'autofix_alert_webhooks_total', 'result="accepted"')).toBe(1);
    expect(await metric(r.metrics, 'autofix_alerts_total', 'outcome="open"')).toBe(1);
  });

  it.each([
    ['no Authorization header', null],
    ['a wrong token', 'Bearer wrong-token-0123456789abcdef'],
    ['basic auth', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`],
  ])('answers 401 to %s and queues nothing', async (_name, auth) => {
    const r = await rig();
    const res = await post(r, JSON.stringify(amPayload([crash('web-1')])), auth);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(r.steps).toBe(0);
    expect(r.queued).toHaveLength(0);
    expect(await metric(r.metrics, 'autofix_alert_webhooks_total', 'result="unauthorized"')).toBe(1);
  });

  it('answers 413 to a 5 MB body and queues nothing', async () => {
    const r = await rig();
    const big = JSON.stringify({ ...amPayload([crash('web-1')]), padding: 'x'.repeat(5 * 1024 * 1024) });
    expect(big.length).toBeGreaterThan(MAX_BODY_BYTES);
    const res = await post(r, big);
    expect(res.status).toBe(413);
    expect((await res.json()) as object).toMatchObject({ error: 'too_large' });
    expect(r.steps).toBe(0);
    expect(await metric(r.metrics, 'autofix_alert_webhooks_total', 'result="too_large"')).toBe(1);
  });

  it('answers 400 naming the field, and queues nothing', async () => {
    const r = await rig();
    const p = amPayload([crash('web-1')]);
    (p.alerts[0] as { labels: unknown }).labels = { namespace: 3 };
    const res = await post(r, JSON.stringify(p));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_payload', field: 'alerts[0].labels.namespace' });
    expect(r.steps).toBe(0);
    expect(await metric(r.metrics, 'autofix_alert_webhooks_total', 'result="invalid"')).toBe(1);
  });

  it('takes 1,000 alerts in one webhook in one step and one job', async () => {
    const r = await rig({ step: (i) => (i < 10 ? 'open' : 'storm') });
    const many = Array.from({ length: 1000 }, (_, i) =>
      crash(`app-${i}-7d4b9c8f6-x2k9p`, i % 2 ? 'shop' : 'pay'),
    );
    const res = await post(r, JSON.stringify(amPayload(many)));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ alerts: 1000, investigations: 10, notInvestigated: 990 });
    expect(r.steps).toBe(1);
    const job = r.queued[0]!.job;
    expect(job.storm.map((g) => [g.channel, g.total]).sort()).toEqual([
      ['C0OPS', 495],
      ['C0SHOP', 495],
    ]);
    expect(job.storm.every((g) => g.items.length <= 100)).toBe(true);
  });

  it('answers 503 when Redis is down (Alertmanager retries) and queues nothing', async () => {
    const r = await rig({ step: () => 'throw' });
    const res = await post(r, JSON.stringify(amPayload([crash('web-1')])));
    expect(res.status).toBe(503);
    expect(r.queued).toHaveLength(0);
  });

  it('takes its step back when the job cannot be queued, and answers 503', async () => {
    const r = await rig({ addFails: true });
    const res = await post(r, JSON.stringify(amPayload([crash('web-1')])));
    expect(res.status).toBe(503);
    expect(r.undone).toHaveLength(1);
    expect(r.undone[0]).toHaveLength(1);
    expect(await metric(r.metrics, 'autofix_alert_webhooks_total', 'result="unavailable"')).toBe(1);
  });

  it('answers a retry of a notification it has taken with 200 and queues nothing more', async () => {
    const r = await rig({ step: () => 'dup' });
    const res = await post(r, JSON.stringify(amPayload([crash('web-1')])));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'duplicate' });
    expect(r.queued).toHaveLength(0);
  });

  it('queues nothing when the step decided nothing is to be said or done', async () => {
    const r = await rig({ step: () => 'quiet' });
    const res = await post(r, JSON.stringify(amPayload([crash('web-1')])));
    expect(res.status).toBe(200);
    expect(r.queued).toHaveLength(0);
  });
});

describe('jobFrom', () => {
  it('says a refusal once per group in the default channel, and lists unresolvable alerts per channel', () => {
    const p = amPayload([
      amAlert(RULE_LABELS.KubePodCrashLooping('kube-system', 'coredns-1')),
      amAlert(RULE_LABELS.KubeJobFailed('shop', 'nightly')),
    ]);
    const job = jobFrom(
      p as never,
      [
        { kind: 'refused', item: { kind: 'say', key: 'refused:g' }, namespace: 'kube-system' },
        {
          kind: 'unresolvable',
          item: { kind: 'say', key: 'labels:f' },
          channel: 'C0SHOP',
          alertname: 'KubeJobFailed',
          why: 'w',
        },
      ],
      ['say', 'say'],
      'C0OPS',
      '2026-12-07T03:00:00Z',
    );
    expect(job?.refused).toEqual({ channel: 'C0OPS', namespaces: ['kube-system'] });
    expect(job?.unresolvable).toEqual([
      { channel: 'C0SHOP', total: 1, items: [{ alertname: 'KubeJobFailed', why: 'w' }] },
    ]);
  });
});
