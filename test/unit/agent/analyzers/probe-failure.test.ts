// probe_failure analyzer: Unhealthy events and unready pods, and the probe's port checked against declared ports.
import { describe, it, expect } from 'vitest';
import { podTemplate } from '../../../../src/agent/analyzers/pod-template.js';
import { checkProbePort, probeFailure } from '../../../../src/agent/analyzers/probe-failure.js';
import {
  container,
  event,
  evidenceFrom,
  pod,
  scenarios,
  singleRevision,
  statuses,
  webContainer,
  type ContainerInput,
} from '../../../fixtures/index.js';

const refused = (port: number, path = '/healthz') =>
  `Readiness probe failed: Get "http://10.244.0.5:${port}${path}": dial tcp 10.244.0.5:${port}: connect: connection refused`;

function withProbe(c: ContainerInput, messages: string[], ready = false) {
  const input = singleRevision(
    { containers: [c] },
    () => [ready ? statuses.ready(c.name, c.image) : statuses.runningNotReady(c.name, c.image)],
    ready ? 1 : 0,
  );
  return evidenceFrom({
    ...input,
    events: messages.map((m) => event(input.pods![0]!, 'Unhealthy', m, { count: 10 })),
  });
}

describe('probeFailure', () => {
  it('reports a readiness probe on an undeclared port, with the port to use', () => {
    const [f, ...rest] = probeFailure.analyze(evidenceFrom(scenarios.probeWrongPort()));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ category: 'probe_failure', severity: 'critical', container: 'web' });
    expect(f!.facts).toMatchObject({
      probe: 'readiness',
      handler: 'httpGet',
      probePort: 8080,
      probePath: '/healthz',
      declaredPorts: 'http:80/TCP',
      portMismatch: true,
      suggestedPort: 80,
      failureKind: 'connection_refused',
      notReadyPods: 1,
      eventCount: 34,
      signal: 'explicit',
    });
    expect(f!.evidence[0]).toBe(`${refused(8080)} (x34)`);
  });

  it('keeps a named probe port named', () => {
    const c = webContainer('nginx:1.25', {
      readinessProbe: { httpGet: { path: '/healthz', port: 'health' } },
    });
    const [f] = probeFailure.analyze(
      withProbe(c, ['Readiness probe failed: HTTP probe failed with statuscode: 404']),
    );
    expect(f!.facts).toMatchObject({ probePort: 'health', portMismatch: true, suggestedPort: 'http' });
  });

  it('reports an endpoint that answers with an error status on the right port', () => {
    const c = webContainer('nginx:1.25', { readinessProbe: { httpGet: { path: '/ready', port: 80 } } });
    const [f] = probeFailure.analyze(
      withProbe(c, ['Readiness probe failed: HTTP probe failed with statuscode: 503']),
    );
    expect(f!.facts).toMatchObject({
      portMismatch: false,
      suggestedPort: null,
      failureKind: 'http_status',
      statusCode: 503,
    });
  });

  it('reports a liveness probe that makes the kubelet restart the container', () => {
    const c = webContainer('nginx:1.25', { livenessProbe: { tcpSocket: { port: 9000 } } });
    const input = singleRevision(
      { containers: [c] },
      (p) => [statuses.crashLoopBackOff('web', c.image, p, { reason: 'Completed', exitCode: 0 })],
      0,
    );
    const p = input.pods![0]!;
    const events = [
      event(p, 'Unhealthy', 'Liveness probe failed: dial tcp 10.244.0.5:9000: connect: connection refused', {
        count: 18,
      }),
      event(p, 'Killing', 'Container web failed liveness probe, will be restarted', { count: 6 }),
    ];
    const [f] = probeFailure.analyze(evidenceFrom({ ...input, events }));
    expect(f).toMatchObject({ severity: 'critical' });
    expect(f!.facts).toMatchObject({
      probe: 'liveness',
      handler: 'tcpSocket',
      probePort: 9000,
      portMismatch: true,
      suggestedPort: 80,
      restartsByProbe: 6,
    });
  });

  it('attributes events to the right container when several containers probe', () => {
    const a = webContainer('nginx:1.25', { readinessProbe: { httpGet: { path: '/healthz', port: 80 } } });
    const b: ContainerInput = {
      name: 'api',
      image: 'ghcr.io/acme/api:1',
      ports: [{ containerPort: 8080 }],
      readinessProbe: { httpGet: { path: '/ready', port: 8081 } },
    };
    const input = singleRevision(
      { containers: [a, b] },
      () => [statuses.ready('web', a.image), statuses.runningNotReady('api', b.image)],
      0,
    );
    const events = [event(input.pods![0]!, 'Unhealthy', refused(8081, '/ready'), { count: 5 })];
    const findings = probeFailure.analyze(evidenceFrom({ ...input, events }));
    expect(findings.map((f) => [f.container, f.facts.probePort, f.facts.suggestedPort])).toEqual([
      ['api', 8081, 8080],
    ]);
  });

  it.each([
    ['a healthy workload', evidenceFrom(scenarios.healthy())],
    [
      'a probe that passes',
      withProbe(
        webContainer('nginx:1.25', { readinessProbe: { httpGet: { path: '/', port: 80 } } }),
        [],
        true,
      ),
    ],
  ])('finds nothing in %s', (_label, evidence) => {
    expect(probeFailure.analyze(evidence)).toEqual([]);
  });

  it('ignores events of pods that are being deleted', () => {
    const input = scenarios.probeWrongPort();
    const dying = pod(input.replicaSets![0]!, {
      suffix: 'old01',
      deleting: true,
      containerStatuses: [statuses.runningNotReady('web', 'nginx:1.25')],
    });
    const ready = pod(input.replicaSets![0]!, {
      suffix: 'x7k2p',
      containerStatuses: [statuses.ready('web', 'nginx:1.25')],
    });
    const events = [event(dying, 'Unhealthy', refused(8080), { count: 3 })];
    expect(probeFailure.analyze(evidenceFrom({ ...input, pods: [ready, dying], events }))).toEqual([]);
  });

  it('cannot judge exec probes or containers that declare no ports', () => {
    const exec = podTemplate({
      spec: {
        containers: [
          container({
            name: 'a',
            image: 'x:1',
            ports: [{ containerPort: 80 }],
            readinessProbe: { exec: { command: ['true'] } },
          }),
        ],
      },
    });
    const noPorts = podTemplate({
      spec: {
        containers: [container({ name: 'b', image: 'x:1', readinessProbe: { httpGet: { port: 8080 } } })],
      },
    });
    expect(checkProbePort(exec.containers[0]!.probes[0]!, exec.containers[0]!)).toEqual({
      mismatch: null,
      suggested: null,
    });
    expect(checkProbePort(noPorts.containers[0]!.probes[0]!, noPorts.containers[0]!)).toEqual({
      mismatch: null,
      suggested: null,
    });
  });

  it.each([
    [
      'picks the port named for HTTP among several',
      [
        { containerPort: 9090, name: 'metrics' },
        { containerPort: 8000, name: 'http' },
      ],
      8000,
    ],
    ['refuses to guess between unnamed ports', [{ containerPort: 9090 }, { containerPort: 8000 }], null],
  ])('%s', (_label, ports, suggested) => {
    const view = podTemplate({
      spec: {
        containers: [
          container({ name: 'a', image: 'x:1', ports, readinessProbe: { httpGet: { port: 8080 } } }),
        ],
      },
    });
    expect(checkProbePort(view.containers[0]!.probes[0]!, view.containers[0]!)).toEqual({
      mismatch: true,
      suggested,
    });
  });
});
