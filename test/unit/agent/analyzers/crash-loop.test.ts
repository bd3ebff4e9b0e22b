// crash_loop analyzer: repeated non-OOM exits, with the cause read from the runtime's status or the log tail.
import { describe, it, expect } from 'vitest';
import { classifyCrash } from '../../../../src/agent/analyzers/crash-causes.js';
import { crashLoop } from '../../../../src/agent/analyzers/crash-loop.js';
import {
  containerStatus,
  event,
  evidenceFrom,
  pod,
  running,
  scenarios,
  singleRevision,
  statuses,
  terminated,
  waiting,
  webContainer,
} from '../../../fixtures/index.js';

const api = { name: 'api', image: 'ghcr.io/acme/api:2.3.1' };
const POD = 'api-5d8c9f7b6d-x7k2p';

/** A Deployment `api` whose only pod crash-loops with the given previous-run termination and log tail. */
function crashing(last: { reason: string; exitCode: number; message?: string }, lines: string[] = []) {
  const input = singleRevision(
    { name: 'api', containers: [api] },
    (p) => [statuses.crashLoopBackOff('api', api.image, p, last)],
    0,
  );
  return evidenceFrom({
    ...input,
    logs: lines.length > 0 ? [{ pod: POD, container: 'api', previous: true, lines }] : [],
  });
}

describe('crashLoop', () => {
  it('reads a missing environment variable from the previous log tail (postgres)', () => {
    const [f, ...rest] = crashLoop.analyze(evidenceFrom(scenarios.crashLoopMissingEnv()));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ category: 'crash_loop', severity: 'critical', container: 'db' });
    expect(f!.facts).toMatchObject({
      cause: 'missing_env',
      envVar: 'POSTGRES_PASSWORD',
      envDeclared: false,
      exitCode: 1,
      reason: 'Error',
      waitingReason: 'CrashLoopBackOff',
      signal: 'heuristic',
      sources: 'events,logs,status',
    });
    expect(f!.facts.logLine).toBe('You must specify POSTGRES_PASSWORD to a non-empty value for the');
    expect(f!.message).toBe(
      'Container db exits with code 1 because environment variable POSTGRES_PASSWORD is not set (CrashLoopBackOff, 5 restarts).',
    );
  });

  it.each([
    ['Error: environment variable DATABASE_URL is not set', 'DATABASE_URL'],
    ['panic: REDIS_URL must be set', 'REDIS_URL'],
    ['FATAL: missing required environment variable: API_TOKEN', 'API_TOKEN'],
    ["KeyError: 'SECRET_KEY'", 'SECRET_KEY'],
    ['config error: STRIPE_KEY is required', 'STRIPE_KEY'],
  ])('finds the variable in %j', (line, envVar) => {
    const [f] = crashLoop.analyze(crashing({ reason: 'Error', exitCode: 1 }, ['starting api v2.3.1', line]));
    expect(f!.facts).toMatchObject({ cause: 'missing_env', envVar });
  });

  it.each([
    [
      'StartError',
      128,
      'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/app/serve": stat /app/serve: no such file or directory: unknown',
      '/app/serve',
    ],
    [
      'ContainerCannotRun',
      127,
      'OCI runtime create failed: container_linux.go:380: starting container process caused: exec: "gunicorn": executable file not found in $PATH: unknown',
      'gunicorn',
    ],
  ])('reads the missing command from a %s status (explicit)', (reason, exitCode, message, command) => {
    const [f] = crashLoop.analyze(crashing({ reason, exitCode, message }));
    expect(f!.facts).toMatchObject({ cause: 'command_not_found', command, reason, signal: 'explicit' });
    expect(f!.evidence).toContain(message);
  });

  it('reads an unreachable dependency from the logs', () => {
    const [f] = crashLoop.analyze(
      crashing({ reason: 'Error', exitCode: 1 }, [
        'Error: connect ECONNREFUSED 10.96.12.7:5432',
        '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)',
      ]),
    );
    expect(f!.facts).toMatchObject({ cause: 'dependency_unreachable', endpoint: '10.96.12.7:5432' });
  });

  it('quotes the last error line when no specific cause matches', () => {
    const [f] = crashLoop.analyze(
      crashing({ reason: 'Error', exitCode: 2 }, ['loading routes', 'fatal error: invalid config at line 3']),
    );
    expect(f!.facts).toMatchObject({
      cause: 'app_error',
      logLine: 'fatal error: invalid config at line 3',
      exitCode: 2,
    });
  });

  it('says the cause is unknown without logs', () => {
    const [f] = crashLoop.analyze(crashing({ reason: 'Error', exitCode: 1 }));
    expect(f!.facts).toMatchObject({ cause: 'unknown', logLine: null, sources: 'status' });
  });

  it.each([
    ['an OOM-killed container (that is oom_killed)', evidenceFrom(scenarios.oomKilled())],
    ['a healthy workload', evidenceFrom(scenarios.healthy())],
    [
      'a single restart that recovered',
      evidenceFrom(
        singleRevision(
          { name: 'api', containers: [api] },
          () => [
            containerStatus('api', api.image, {
              ready: true,
              state: running(),
              lastState: terminated('Error', 1),
              restartCount: 1,
            }),
          ],
          1,
        ),
      ),
    ],
  ])('ignores %s', (_label, evidence) => {
    expect(crashLoop.analyze(evidence)).toEqual([]);
  });

  it('ignores pods that are being deleted', () => {
    const input = scenarios.healthy();
    const dying = pod(input.replicaSets![0]!, {
      suffix: 'old01',
      deleting: true,
      containerStatuses: [
        containerStatus('web', 'nginx:1.25', {
          state: waiting('CrashLoopBackOff'),
          lastState: terminated('Error', 1),
          restartCount: 7,
        }),
      ],
    });
    expect(crashLoop.analyze(evidenceFrom({ ...input, pods: [...input.pods!, dying] }))).toEqual([]);
  });

  it('reports only the crashing container of a multi-container pod, with its own logs', () => {
    const input = singleRevision(
      { name: 'api', containers: [api, webContainer('nginx:1.25')] },
      (p) => [
        statuses.crashLoopBackOff('api', api.image, p, { reason: 'Error', exitCode: 1 }),
        statuses.ready('web', 'nginx:1.25'),
      ],
      0,
    );
    const logs = [
      { pod: POD, container: 'web', previous: false, lines: ['error: REDIS_URL must be set'] },
      {
        pod: POD,
        container: 'api',
        previous: true,
        lines: ['Error: environment variable DATABASE_URL is not set'],
      },
    ];
    const findings = crashLoop.analyze(evidenceFrom({ ...input, logs }));
    expect(findings.map((f) => [f.container, f.facts.envVar])).toEqual([['api', 'DATABASE_URL']]);
  });

  it('marks restarts caused by the liveness probe as a lower-severity symptom', () => {
    const input = singleRevision(
      { containers: [webContainer('nginx:1.25')] },
      (p) => [statuses.crashLoopBackOff('web', 'nginx:1.25', p, { reason: 'Completed', exitCode: 0 })],
      0,
    );
    const kill = event(input.pods![0]!, 'Killing', 'Container web failed liveness probe, will be restarted', {
      count: 6,
    });
    const [f] = crashLoop.analyze(evidenceFrom({ ...input, events: [kill] }));
    expect(f).toMatchObject({ severity: 'warning' });
    expect(f!.facts.killedByLiveness).toBe(true);
  });

  it('infers command-not-found from exit code 127 when nothing else says why', () => {
    expect(classifyCrash({ reason: 'Error', message: null, exitCode: 127 }, null, [])).toMatchObject({
      cause: 'command_not_found',
      signal: 'inferred',
    });
  });
});
