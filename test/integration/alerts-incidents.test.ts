// The alert step against real Redis (the Lua runs for real): dedupe, grouping, cooldown, storm bound, said-once.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_SEEN,
  OPENING_TIMEOUT_MS,
  createAlertIncidents,
  type AlertIncidents,
  type AlertItem,
  type StepOptions,
} from '../../src/queue/alert-incidents.js';
import { incidentKey } from '../../src/bot/alerts/alert-plan.js';
import { keySpace } from '../../src/queue/key-space.js';
import { sandboxEnv } from './sandbox-env.js';
import { deletePrefix } from './support/slack-harness.js';

let redis: Redis;
const prefixes: string[] = [];
beforeAll(() => {
  redis = new Redis(sandboxEnv().REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  for (const p of prefixes) await deletePrefix(redis, p);
  redis.disconnect();
});

function store(): { incidents: AlertIncidents; prefix: string } {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  prefixes.push(prefix);
  return { incidents: createAlertIncidents(redis, keySpace(prefix).alerts), prefix };
}

function item(incident: string, fingerprint: string, status: 'firing' | 'resolved' = 'firing'): AlertItem {
  return {
    kind: 'alert',
    incident,
    fingerprint,
    status,
    endsAt: status === 'resolved' ? '2026-12-07T04:00:00Z' : '0001-01-01T00:00:00Z',
    create: {
      id: randomBytes(8).toString('hex'),
      channel: 'C0SHOP',
      ref: { kind: 'Pod', name: `${incident}-7d4b9c8f6-x2k9p`, namespace: 'shop' },
      facts: {
        alertname: 'KubePodCrashLooping',
        severity: 'warning',
        summary: 'Pod is crash looping.',
        description: null,
        startsAt: '2026-12-07T03:00:00Z',
        generatorURL: null,
        externalURL: null,
        fingerprint,
        groupKey: '{}:{namespace="shop"}',
        cluster: null,
      },
    },
  };
}

let seq = 0;
const opts = (over: Partial<StepOptions> = {}): StepOptions => ({
  notification: `n${++seq}-${randomBytes(3).toString('hex')}`,
  jobId: `alert__j${seq}`,
  now: Date.now(),
  cooldownMs: 30 * 60_000,
  maxPerMinute: 10,
  ...over,
});

describe('the alert step (Lua on real Redis)', () => {
  it('opens an incident once; a repeat joins it and counts the notification', async () => {
    const { incidents } = store();
    const first = opts();
    expect(await incidents.step([item('web', 'f1')], first)).toEqual({ duplicate: false, results: ['open'] });
    // Alertmanager's retry of the same notification: nothing changes.
    expect(await incidents.step([item('web', 'f1')], { ...first, jobId: 'alert__other' })).toEqual({
      duplicate: true,
    });
    expect(await incidents.step([item('web', 'f1')], opts())).toEqual({
      duplicate: false,
      results: ['repeat'],
    });
    const inc = await incidents.get('web');
    expect(inc).toMatchObject({
      state: 'opening',
      owner: first.jobId,
      notifications: 2,
      firing: { f1: true },
    });
  });

  it('stores what the thread quotes exactly as given, also when later alerts of the same step join', async () => {
    const { incidents } = store();
    const first = item('web', 'q1');
    first.create.facts = {
      ...first.create.facts,
      summary: 'quotes " and \\ back\nslash / ünïcödé 🚨 {"json":[1]}',
      description: '}',
      generatorURL: 'http://prom:9090/graph?g0.expr=up%7Bjob%3D%22x%22%7D',
      cluster: 'prod-eu',
    };
    const r = await incidents.step([first, item('web', 'q2')], opts());
    expect(r).toEqual({ duplicate: false, results: ['open', 'repeat'] });
    const inc = await incidents.get('web');
    expect(inc).toMatchObject({
      id: first.create.id,
      channel: first.create.channel,
      ref: first.create.ref,
      facts: first.create.facts,
      alertnames: ['KubePodCrashLooping'],
      firing: { q1: true, q2: true },
      notifications: 1,
    });
  });

  it('counts a notification once however many of its alerts join the incident', async () => {
    const { incidents } = store();
    const r = await incidents.step([item('web', 'a'), item('web', 'b'), item('web', 'c')], opts());
    expect(r).toEqual({ duplicate: false, results: ['open', 'repeat', 'repeat'] });
    expect(await incidents.get('web')).toMatchObject({
      notifications: 1,
      firing: { a: true, b: true, c: true },
    });
  });

  it('resolves when its last alert resolves, keeps it for the cooldown, and a new firing within it refires', async () => {
    const { incidents, prefix } = store();
    await incidents.step([item('web', 'a'), item('web', 'b')], opts());
    expect(await incidents.step([item('web', 'a', 'resolved')], opts())).toMatchObject({
      results: ['update'],
    });
    expect(await incidents.step([item('web', 'b', 'resolved')], opts({ cooldownMs: 90_000 }))).toMatchObject({
      results: ['resolved'],
    });
    const inc = await incidents.get('web');
    expect(inc).toMatchObject({ resolvedAt: '2026-12-07T04:00:00Z', firing: {} });
    const ttl = await redis.pttl(keySpace(prefix).alerts.incident('web'));
    expect(ttl).toBeGreaterThan(60_000);
    expect(ttl).toBeLessThanOrEqual(90_000);
    expect(await incidents.step([item('web', 'b', 'resolved')], opts())).toMatchObject({
      results: ['update'],
    });
    expect(await incidents.step([item('web', 'a')], opts())).toMatchObject({ results: ['refired'] });
    expect(await incidents.get('web')).toMatchObject({ resolvedAt: null, firing: { a: true } });
  });

  it('after it resolved, an alert it never saw opens a new incident (a new failure), while its own flap back in', async () => {
    const { incidents } = store();
    const first = opts();
    await incidents.step([item('web', 'old-pod')], first);
    const opened = await incidents.get('web');
    await incidents.step([item('web', 'old-pod', 'resolved')], opts());
    // A new release's pod (another fingerprint) fails within the cooldown: its own thread and investigation.
    const next = opts();
    expect(await incidents.step([item('web', 'new-pod')], next)).toEqual({
      duplicate: false,
      results: ['open'],
    });
    const inc = await incidents.get('web');
    expect(inc).toMatchObject({
      state: 'opening',
      owner: next.jobId,
      threadTs: null,
      resolvedAt: null,
      notifications: 1,
      firing: { 'new-pod': true },
      seen: { 'new-pod': true },
      investigation: null,
    });
    expect(inc?.id).not.toBe(opened?.id);
    // While the new incident fires, anything for the workload joins it (the old pod's alert included).
    expect(await incidents.step([item('web', 'old-pod')], opts())).toMatchObject({ results: ['repeat'] });
    expect(await incidents.get('web')).toMatchObject({
      id: inc?.id,
      firing: { 'new-pod': true, 'old-pod': true },
    });
    // Its own alert firing again after it resolved is a flap: it joins, no second investigation.
    await incidents.step([item('web', 'new-pod', 'resolved'), item('web', 'old-pod', 'resolved')], opts());
    expect(await incidents.step([item('web', 'new-pod')], opts())).toMatchObject({ results: ['refired'] });
    expect(await incidents.get('web')).toMatchObject({ id: inc?.id });
  });

  it('keeps a notification that resolves one pod and fires another in one incident (one episode)', async () => {
    const { incidents } = store();
    await incidents.step([item('web', 'p1')], opts());
    const r = await incidents.step([item('web', 'p1', 'resolved'), item('web', 'p2')], opts());
    expect(r).toMatchObject({ results: ['resolved', 'refired'] });
    expect(await incidents.get('web')).toMatchObject({ firing: { p2: true }, resolvedAt: null });
  });

  it('takes any firing alert back into a resolved incident stored before it remembered fingerprints', async () => {
    const { incidents, prefix } = store();
    await incidents.step([item('web', 'p1')], opts());
    await incidents.step([item('web', 'p1', 'resolved')], opts());
    const key = keySpace(prefix).alerts.incident('web');
    const stored = JSON.parse((await redis.get(key))!) as Record<string, unknown>;
    delete stored.seen;
    await redis.set(key, JSON.stringify(stored), 'PX', 60_000);
    expect(await incidents.step([item('web', 'p2')], opts())).toMatchObject({ results: ['refired'] });
  });

  it(`remembers at most ${MAX_SEEN} fingerprints; past that a resolved incident takes any alert back`, async () => {
    const { incidents } = store();
    const fps = Array.from({ length: MAX_SEEN + 5 }, (_, i) => `f${i}`);
    await incidents.step(
      fps.map((f) => item('web', f)),
      opts(),
    );
    expect(Object.keys((await incidents.get('web'))?.seen ?? {})).toHaveLength(MAX_SEEN);
    await incidents.step(
      fps.map((f) => item('web', f, 'resolved')),
      opts(),
    );
    expect(await incidents.step([item('web', 'never-seen')], opts())).toMatchObject({ results: ['refired'] });
  });

  it('ignores a resolved alert it never saw firing', async () => {
    const { incidents } = store();
    expect(await incidents.step([item('ghost', 'g', 'resolved')], opts())).toMatchObject({
      results: ['ignored'],
    });
    expect(await incidents.get('ghost')).toBeNull();
  });

  it('starts at most maxPerMinute investigations in any 60 s; the rest are storm, and their repeats quiet', async () => {
    const { incidents } = store();
    const now = Date.now();
    const names = Array.from({ length: 10 }, (_, i) => `app${i}`);
    const r = await incidents.step(
      names.map((n) => item(n, `f${n}`)),
      opts({ now, maxPerMinute: 3 }),
    );
    expect(r).toMatchObject({ results: [...Array(3).fill('open'), ...Array(7).fill('storm')] });
    const again = await incidents.step(
      names.map((n) => item(n, `f${n}`)),
      opts({ now: now + 1000, maxPerMinute: 3 }),
    );
    expect(again).toMatchObject({ results: [...Array(3).fill('repeat'), ...Array(7).fill('quiet')] });
    expect(
      await incidents.step([item('late', 'fl')], opts({ now: now + 30_000, maxPerMinute: 3 })),
    ).toMatchObject({
      results: ['storm'],
    });
    // The window slides: a minute after the three opened, a new incident may open.
    expect(
      await incidents.step([item('later', 'fx')], opts({ now: now + 61_000, maxPerMinute: 3 })),
    ).toMatchObject({
      results: ['open'],
    });
  });

  it('says a thing once', async () => {
    const { incidents } = store();
    const r = await incidents.step(
      [
        { kind: 'say', key: 'refused:g1' },
        { kind: 'say', key: 'refused:g1' },
      ],
      opts(),
    );
    expect(r).toMatchObject({ results: ['say', 'said'] });
    expect(await incidents.step([{ kind: 'say', key: 'refused:g1' }], opts())).toMatchObject({
      results: ['said'],
    });
  });

  it('records the thread and the investigation for the owner only, once', async () => {
    const { incidents } = store();
    const o = opts();
    await incidents.step([item('web', 'f')], o);
    expect(await incidents.setThread('web', 'alert__someone-else', '1.1')).toMatchObject({
      threadTs: null,
      state: 'opening',
    });
    expect(await incidents.setThread('web', o.jobId, '1.2')).toMatchObject({
      threadTs: '1.2',
      state: 'open',
    });
    expect(await incidents.setThread('web', o.jobId, '1.3')).toMatchObject({ threadTs: '1.2' });
    expect(await incidents.setInvestigation('web', o.jobId, 'investigate__a')).toMatchObject({
      investigation: 'investigate__a',
    });
    expect(await incidents.setInvestigation('web', o.jobId, 'investigate__b')).toMatchObject({
      investigation: 'investigate__a',
    });
    expect(await incidents.setThread('nothing', o.jobId, '1.4')).toBeNull();
  });

  it('lets another notification open an incident whose thread never came (its job lost)', async () => {
    const { incidents } = store();
    const now = Date.now();
    await incidents.step([item('web', 'f')], opts({ now }));
    expect(await incidents.step([item('web', 'f')], opts({ now: now + 1000 }))).toMatchObject({
      results: ['repeat'],
    });
    const later = opts({ now: now + OPENING_TIMEOUT_MS + 1000 });
    expect(await incidents.step([item('web', 'f')], later)).toMatchObject({ results: ['open'] });
    expect(await incidents.get('web')).toMatchObject({ owner: later.jobId, notifications: 1 });
  });

  it('undoes a step whose job could not be queued, so the retry is decided afresh', async () => {
    const { incidents } = store();
    const o = opts();
    await incidents.step([item('web', 'f'), { kind: 'say', key: 'labels:x' }], o);
    await incidents.undo(o, ['web'], ['labels:x']);
    expect(await incidents.get('web')).toBeNull();
    expect(
      await incidents.step([item('web', 'f'), { kind: 'say', key: 'labels:x' }], { ...o, now: o.now + 10 }),
    ).toEqual({
      duplicate: false,
      results: ['open', 'say'],
    });
  });

  it('keeps one workload alerting on two clusters as two incidents, every key in the alert slot', async () => {
    const { incidents, prefix } = store();
    const ref = { kind: 'Deployment' as const, name: 'web', namespace: 'shop' };
    const [eu, staging] = [incidentKey(ref, 'prod-eu'), incidentKey(ref, 'staging')];
    expect(await incidents.step([item(eu, 'f-eu'), item(staging, 'f-st')], opts())).toMatchObject({
      results: ['open', 'open'],
    });
    expect(await incidents.step([item(eu, 'f-eu')], opts())).toMatchObject({ results: ['repeat'] });
    expect(await incidents.get(staging)).toMatchObject({ notifications: 1 });
    expect(await incidents.get(eu)).toMatchObject({ notifications: 2 });
    // One hash tag for the whole step: on Redis Cluster its Lua runs on one slot.
    const keys = await redis.keys(`*${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k.startsWith(`{${prefix}}:alert:`)).toBe(true);
  });

  it('decides 1,000 alerts in one step', async () => {
    const { incidents } = store();
    const items = Array.from({ length: 1000 }, (_, i) => item(`w${i % 250}`, `f${i}`));
    const r = await incidents.step(items, opts({ maxPerMinute: 10 }));
    if (r.duplicate) throw new Error('unexpected duplicate');
    expect(r.results.filter((x) => x === 'open')).toHaveLength(10);
    expect(r.results.filter((x) => x === 'storm')).toHaveLength(240);
    expect(r.results.filter((x) => x === 'repeat' || x === 'quiet')).toHaveLength(750);
  });
});
