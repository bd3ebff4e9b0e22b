import { describe, expect, it } from 'vitest';
import { ALERT_REQUESTER, processAlertJob, type AlertJobDeps } from '../../../../src/bot/alerts/alert-job.js';
import { createLogger } from '../../../../src/observability/logger.js';
import type { AlertIncident } from '../../../../src/queue/alert-incidents.js';
import type { AlertJob } from '../../../../src/queue/alert-queue.js';
import type { InvestigationRequest } from '../../../../src/queue/producer.js';
import type { ResolveJob } from '../../../../src/queue/jobs.js';
import type { SlackMessage } from '../../../../src/slack/slack-poster.js';
import { memoryJobMessages } from '../../../fixtures/memory-job-messages.js';

const TRIGGER = {
  kind: 'alert' as const,
  alertname: 'KubeDeploymentReplicasMismatch',
  severity: 'warning',
  fingerprint: 'abc123',
  groupKey: '{}:{namespace="shop"}',
  startsAt: '2026-12-07T03:00:00Z',
  cluster: null,
};

function incident(over: Partial<AlertIncident> = {}): AlertIncident {
  return {
    id: 'i1',
    state: 'opening',
    owner: 'alert__job1',
    openedAt: 0,
    channel: 'C0SHOP',
    threadTs: null,
    ref: { kind: 'Deployment', name: 'web', namespace: 'shop' },
    facts: {
      ...TRIGGER,
      summary: 'Replicas mismatch',
      description: null,
      generatorURL: null,
      externalURL: null,
    },
    alertnames: ['KubeDeploymentReplicasMismatch'],
    firing: { abc123: true },
    seen: { abc123: true },
    notifications: 1,
    firstSeen: 0,
    lastSeen: 0,
    resolvedAt: null,
    investigation: null,
    ...over,
  };
}

const emptyJob = (over: Partial<AlertJob> = {}): AlertJob => ({
  receivedAt: '2026-12-07T03:00:00Z',
  receiver: 'kube-autofix',
  groupKey: '{}:{namespace="shop"}',
  open: [],
  touched: [],
  refired: [],
  resolved: [],
  storm: [],
  unresolvable: [],
  refused: null,
  truncatedAlerts: 0,
  ...over,
});

function rig(
  opts: {
    incidents?: AlertIncident[];
    running?: { channel: string; threadTs: string } | null;
    proposal?: { state: string; messageTs: string; runId: string };
  } = {},
) {
  const incidents = new Map((opts.incidents ?? [incident()]).map((i) => [i.id, structuredClone(i)]));
  const posts: Array<{ channel: string; message: SlackMessage; threadTs?: string }> = [];
  const updates: Array<{ channel: string; ts: string; message: SlackMessage }> = [];
  const investigations: InvestigationRequest[] = [];
  const resolves: ResolveJob[] = [];
  const resolvedRuns: Array<[string | null, string]> = [];
  const slots = new Map<string, string>();
  const deps: AlertJobDeps = {
    config: { alerts: { cooldownSeconds: 1800, maxPerMinute: 10 }, namespaces: ['shop'] },
    poster: {
      post: async (channel, message, threadTs) => (
        posts.push({ channel, message, threadTs }),
        `100.${posts.length}`
      ),
      update: async (channel, ts, message) => void updates.push({ channel, ts, message }),
      postEphemeral: async () => undefined,
      delete: async () => undefined,
      permalink: async (c, ts) => `https://slack.example/${c}/${ts}`,
    },
    producer: {
      async addInvestigation(request, open) {
        investigations.push(request);
        const threadTs = await open();
        if (opts.running !== undefined)
          return {
            kind: 'already_running',
            running: opts.running && { ...opts.running, requestedBy: 'U1', since: 0, owner: 'x' },
          };
        return {
          kind: 'enqueued',
          jobId: `investigate__${investigations.length}`,
          thread: { channel: request.channel, threadTs, teamId: null },
        };
      },
      addResolve: async (job) => (resolves.push(job), `resolve__${resolves.length}`),
    },
    incidents: {
      get: async (k) => structuredClone(incidents.get(k) ?? null),
      async setThread(k, owner, ts) {
        const i = incidents.get(k);
        if (i && i.owner === owner && !i.threadTs) Object.assign(i, { threadTs: ts, state: 'open' });
        return structuredClone(i ?? null);
      },
      async setInvestigation(k, owner, id) {
        const i = incidents.get(k);
        if (i && i.owner === owner && !i.investigation) i.investigation = id;
        return structuredClone(i ?? null);
      },
    },
    threads: { get: async () => (opts.proposal ? { run: 'run-1', proposal: 'p1' } : { run: 'run-1' }) },
    messages: memoryJobMessages(slots),
    store: { get: async () => (opts.proposal ? ({ ...opts.proposal } as never) : null) },
    tracker: { recordAlertResolved: async (run, at) => void resolvedRuns.push([run, at]) },
    teamId: 'T0TEAM',
    logger: createLogger('silent'),
  };
  return { deps, incidents, posts, updates, investigations, resolves, resolvedRuns };
}

const open = {
  incident: 'i1',
  cluster: 'prod-eu',
  ref: { kind: 'Deployment' as const, name: 'web', namespace: 'shop' },
  channel: 'C0SHOP',
  trigger: TRIGGER,
};

describe('processAlertJob', () => {
  it('opens the thread quoting the alert and starts the same investigation as /autofix', async () => {
    const r = rig();
    await processAlertJob(r.deps, emptyJob({ open: [open] }), { id: 'alert__job1' });
    expect(r.posts).toHaveLength(1);
    expect(r.posts[0]!.threadTs).toBeUndefined();
    expect(r.posts[0]!.message.text).toContain('KubeDeploymentReplicasMismatch');
    expect(r.investigations).toEqual([
      {
        cluster: 'prod-eu',
        target: open.ref,
        requestedBy: ALERT_REQUESTER,
        channel: 'C0SHOP',
        teamId: 'T0TEAM',
        trigger: TRIGGER,
      },
    ]);
    expect(r.incidents.get('i1')).toMatchObject({
      state: 'open',
      threadTs: '100.1',
      investigation: 'investigate__1',
    });
  });

  it('posts and enqueues nothing twice when the job is retried', async () => {
    const r = rig();
    await processAlertJob(r.deps, emptyJob({ open: [open] }), { id: 'alert__job1' });
    await processAlertJob(r.deps, emptyJob({ open: [open] }), { id: 'alert__job1' });
    expect(r.posts).toHaveLength(1);
    expect(r.investigations).toHaveLength(1);
  });

  it('hands a pod to the worker to resolve in the thread, with the trigger', async () => {
    const ref = { kind: 'Pod' as const, name: 'web-7d4b9c8f6-x2k9p', namespace: 'shop' };
    const r = rig({ incidents: [incident({ ref })] });
    await processAlertJob(r.deps, emptyJob({ open: [{ ...open, ref }] }), { id: 'alert__job1' });
    expect(r.resolves).toHaveLength(1);
    expect(r.resolves[0]).toMatchObject({
      cluster: 'prod-eu',
      ref,
      requestedBy: ALERT_REQUESTER,
      thread: { channel: 'C0SHOP', threadTs: '100.1', teamId: 'T0TEAM' },
      trigger: TRIGGER,
    });
  });

  it('does nothing for an incident another notification took over', async () => {
    const r = rig({ incidents: [incident({ owner: 'alert__other' })] });
    await processAlertJob(r.deps, emptyJob({ open: [open] }), { id: 'alert__job1' });
    expect(r.posts).toHaveLength(0);
    expect(r.investigations).toHaveLength(0);
  });

  it('points to the running investigation when someone already asked for the workload', async () => {
    const r = rig({ running: { channel: 'C0SHOP', threadTs: '99.9' } });
    await processAlertJob(r.deps, emptyJob({ open: [open] }), { id: 'alert__job1' });
    expect(r.posts).toHaveLength(2);
    expect(r.posts[1]!.threadTs).toBe('100.1');
    expect(JSON.stringify(r.posts[1]!.message.blocks)).toContain('already being investigated');
    expect(JSON.stringify(r.posts[1]!.message.blocks)).toContain('https://slack.example/C0SHOP/99.9');
  });

  it('updates the parent on a repeat and says when the alert resolved; a pending proposal keeps its buttons', async () => {
    const r = rig({
      incidents: [
        incident({
          state: 'open',
          threadTs: '50.1',
          notifications: 4,
          firing: {},
          resolvedAt: '2026-12-07T04:00:00Z',
          investigation: 'x',
        }),
      ],
      proposal: { state: 'proposed', messageTs: '50.7', runId: 'run-1' },
    });
    await processAlertJob(r.deps, emptyJob({ touched: ['i1'], resolved: ['i1'] }), { id: 'alert__job2' });
    expect(r.updates).toHaveLength(1);
    expect(r.updates[0]!.ts).toBe('50.1');
    expect(JSON.stringify(r.updates[0]!.message.blocks)).toContain('4 notifications');
    expect(r.posts).toHaveLength(1);
    expect(r.posts[0]!.threadTs).toBe('50.1');
    expect(JSON.stringify(r.posts[0]!.message.blocks)).toContain(
      'this change is still waiting for a decision',
    );
    expect(r.resolvedRuns).toEqual([['run-1', '2026-12-07T04:00:00Z']]);
  });

  it('says a fired-again alert joins the thread without a second investigation', async () => {
    const r = rig({ incidents: [incident({ state: 'open', threadTs: '50.1', investigation: 'x' })] });
    await processAlertJob(r.deps, emptyJob({ touched: ['i1'], refired: ['i1'] }), { id: 'alert__job3' });
    expect(r.investigations).toHaveLength(0);
    expect(JSON.stringify(r.posts[0]!.message.blocks)).toContain('no second investigation starts');
    expect(JSON.stringify(r.posts[0]!.message.blocks)).toContain('/autofix deployment/web -n shop');
  });

  it('posts one storm listing per channel, one refusal, one labels note, each once across retries', async () => {
    const r = rig();
    const ref = { kind: 'Deployment' as const, name: 'a', namespace: 'shop' };
    const job = emptyJob({
      storm: [
        { channel: 'C0SHOP', total: 30, items: [{ ref, alertname: 'X' }] },
        { channel: 'C0OPS', total: 2, items: [{ ref, alertname: 'X' }] },
      ],
      unresolvable: [{ channel: 'C0OPS', total: 1, items: [{ alertname: 'Watchdog', why: 'no labels' }] }],
      refused: { channel: 'C0OPS', namespaces: ['kube-system'] },
    });
    await processAlertJob(r.deps, job, { id: 'alert__job4' });
    await processAlertJob(r.deps, job, { id: 'alert__job4' });
    expect(r.posts.map((p) => p.channel)).toEqual(['C0SHOP', 'C0OPS', 'C0OPS', 'C0OPS']);
  });
});
