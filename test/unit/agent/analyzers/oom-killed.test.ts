// oom_killed analyzer: OOM in state or lastState, exit 137 without a reason, limits from the pod template.
import { describe, it, expect } from 'vitest';
import { oomKilled } from '../../../../src/agent/analyzers/oom-killed.js';
import {
  containerStatus,
  evidenceFrom,
  pod,
  running,
  scenarios,
  singleRevision,
  statuses,
  terminated,
  waiting,
} from '../../../fixtures/index.js';

const app = {
  name: 'app',
  image: 'ghcr.io/acme/api:2.3.1',
  resources: { limits: { memory: '64Mi' }, requests: { memory: '32Mi' } },
};

describe('oomKilled', () => {
  it('finds OOMKilled hiding in lastState while the container waits in CrashLoopBackOff', () => {
    const [f, ...rest] = oomKilled.analyze(evidenceFrom(scenarios.oomKilled()));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ category: 'oom_killed', severity: 'critical', container: 'app' });
    expect(f!.facts).toMatchObject({
      explicitReason: true,
      exitCode: 137,
      limit: '64Mi',
      limitBytes: 64 * 2 ** 20,
      request: '32Mi',
      restartCount: 4,
      signal: 'explicit',
    });
    expect(f!.evidence[0]).toBe('lastState.terminated: OOMKilled (exit code 137)');
  });

  it.each([
    ['state.terminated OOMKilled', { state: terminated('OOMKilled', 137), restartCount: 1 }, true],
    [
      'exit 137 without a reason (inferred)',
      {
        state: waiting('CrashLoopBackOff', 'back-off 10s'),
        lastState: terminated('Error', 137),
        restartCount: 3,
      },
      false,
    ],
  ])('detects %s', (_label, status, explicit) => {
    const input = singleRevision(
      { name: 'api', containers: [app] },
      () => [containerStatus('app', app.image, status)],
      0,
    );
    const [f] = oomKilled.analyze(evidenceFrom(input));
    expect(f!.facts.explicitReason).toBe(explicit);
    expect(f!.facts.signal).toBe(explicit ? 'explicit' : 'inferred');
  });

  it.each([
    [
      'a clean crash (exit 1)',
      containerStatus('app', app.image, {
        state: waiting('CrashLoopBackOff'),
        lastState: terminated('Error', 1),
        restartCount: 4,
      }),
    ],
    ['a running, ready container', statuses.ready('app', app.image)],
  ])('ignores %s', (_label, status) => {
    const input = singleRevision({ name: 'api', containers: [app] }, () => [status], 0);
    expect(oomKilled.analyze(evidenceFrom(input))).toEqual([]);
  });

  it('ignores pods that are being deleted', () => {
    const input = singleRevision(
      { name: 'api', containers: [app] },
      () => [statuses.ready('app', app.image)],
      1,
    );
    const dying = pod(input.replicaSets![0]!, {
      suffix: 'old01',
      deleting: true,
      containerStatuses: [containerStatus('app', app.image, { state: terminated('OOMKilled', 137) })],
    });
    expect(oomKilled.analyze(evidenceFrom({ ...input, pods: [...input.pods!, dying] }))).toEqual([]);
  });

  it('names the container that OOMs in a multi-container pod, with its own limit', () => {
    const sidecar = { name: 'cache', image: 'redis:7', resources: { limits: { memory: '128Mi' } } };
    const input = singleRevision(
      { name: 'api', containers: [app, sidecar] },
      (p) => [
        statuses.ready('app', app.image),
        statuses.crashLoopBackOff('cache', 'redis:7', p, { reason: 'OOMKilled', exitCode: 137 }),
      ],
      0,
    );
    const findings = oomKilled.analyze(evidenceFrom(input));
    expect(findings.map((f) => [f.container, f.facts.limit, f.facts.request])).toEqual([
      ['cache', '128Mi', null],
    ]);
  });

  it('says when the template sets no memory limit', () => {
    const bare = { name: 'app', image: app.image };
    const input = singleRevision(
      { name: 'api', containers: [bare] },
      () => [
        containerStatus('app', app.image, {
          state: running(),
          ready: true,
          lastState: terminated('OOMKilled', 137),
          restartCount: 1,
        }),
      ],
      1,
    );
    const [f] = oomKilled.analyze(evidenceFrom(input));
    expect(f!.facts.limit).toBeNull();
    expect(f!.severity).toBe('warning');
    expect(f!.message).toContain('no memory limit');
  });
});

describe('oom_killed severity of a container that is up right now', () => {
  it('is critical while the last OOM kill is recent, a warning once it is old', async () => {
    const { oomKilled } = await import('../../../../src/agent/analyzers/oom-killed.js');
    const { scenarios, evidenceFrom } = await import('../../../fixtures/index.js');
    const base = evidenceFrom(scenarios.oomKilled());
    const running = (finishedAt: string) => ({
      ...base,
      pods: base.pods.map((p) => ({
        ...p,
        containers: p.containers.map((c) => ({
          ...c,
          ready: true,
          restartCount: 1,
          state: { waiting: null, running: { startedAt: finishedAt }, terminated: null },
          lastState: {
            waiting: null,
            running: null,
            terminated: { reason: 'OOMKilled', message: null, exitCode: 137, finishedAt },
          },
        })),
      })),
    });
    const now = Date.parse(base.collectedAt);
    const recent = oomKilled.analyze(running(new Date(now - 60_000).toISOString()));
    const old = oomKilled.analyze(running(new Date(now - 3_600_000).toISOString()));
    expect(recent[0]?.severity).toBe('critical');
    expect(old[0]?.severity).toBe('warning');
  });
});
