// A liveness probe that gets 404 while the readiness probe of the same container passes: point it at the passing path.
import { policyConfig } from '../../../../fixtures/policy-fixtures.js';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../../src/domain/index.js';
import {
  diagnoseEvidence,
  event,
  evidenceFrom,
  singleRevision,
  statuses,
  webContainer,
} from '../../../../fixtures/index.js';

const POLICY = policyConfig();
const http = (path: string, port: number | string) => ({ httpGet: { path, port, scheme: 'HTTP' } });
const LIVENESS_404 = 'Liveness probe failed: HTTP probe failed with statuscode: 404';

/** nginx restarted by its liveness probe; `readiness` events as given. */
function killedByLiveness(opts: {
  livenessPort?: number | string;
  readinessEvents?: string[];
  failure?: string;
}) {
  const e = singleRevision(
    {
      containers: [
        webContainer('nginx:1.27', {
          readinessProbe: http('/', 'http'),
          livenessProbe: http('/healthz', opts.livenessPort ?? 80),
        }),
      ],
      status: { readyReplicas: 0, availableReplicas: 0 },
    },
    (pod) => [
      statuses.crashLoopBackOff('web', 'nginx:1.27', pod, { reason: 'Completed', exitCode: 0, restarts: 4 }),
    ],
    0,
  );
  const p = e.pods![0] as KubeObject;
  const on = { fieldPath: 'spec.containers{web}' };
  const events = [
    event(p, 'Unhealthy', opts.failure ?? LIVENESS_404, { count: 12, ...on }),
    event(p, 'Killing', 'Container web failed liveness probe, will be restarted', { count: 4, ...on }),
    ...(opts.readinessEvents ?? []).map((m) => event(p, 'Unhealthy', m, { count: 3, ...on })),
  ];
  return diagnoseEvidence(evidenceFrom({ ...e, events }), POLICY);
}

describe('probe path fix', () => {
  it('points the liveness probe at the path the readiness probe passes on (named or numeric port)', () => {
    for (const livenessPort of [80, 'http']) {
      const d = killedByLiveness({ livenessPort });
      expect(d.category).toBe('probe_failure');
      expect(d.change?.patch).toEqual([
        { op: 'replace', path: '/spec/template/spec/containers/0/livenessProbe/httpGet/path', value: '/' },
      ]);
      expect(d.notes.join('\n')).toContain('dedicated, cheap liveness endpoint');
    }
  });

  it('proposes nothing of the kind when the readiness probe fails too, or the liveness failure is not a 404', () => {
    const both = killedByLiveness({
      readinessEvents: ['Readiness probe failed: HTTP probe failed with statuscode: 503'],
    });
    expect(both.change).toBeNull();
    const refused = killedByLiveness({
      failure:
        'Liveness probe failed: Get "http://10.244.0.5:80/healthz": dial tcp 10.244.0.5:80: connect: connection refused',
    });
    expect(refused.change?.patch?.[0]?.path ?? '').not.toContain('/httpGet/path');
  });

  it('never for a failing startup probe: while it fails no other probe runs, so nothing shows the other path works', () => {
    const e = singleRevision(
      {
        containers: [
          webContainer('nginx:1.27', {
            readinessProbe: http('/', 'http'),
            startupProbe: http('/healthz', 80),
          }),
        ],
        status: { readyReplicas: 0, availableReplicas: 0 },
      },
      (pod) => [
        statuses.crashLoopBackOff('web', 'nginx:1.27', pod, {
          reason: 'Completed',
          exitCode: 0,
          restarts: 4,
        }),
      ],
      0,
    );
    const p = e.pods![0] as KubeObject;
    const on = { fieldPath: 'spec.containers{web}' };
    const events = [
      event(p, 'Unhealthy', 'Startup probe failed: HTTP probe failed with statuscode: 404', {
        count: 12,
        ...on,
      }),
      event(p, 'Killing', 'Container web failed startup probe, will be restarted', { count: 4, ...on }),
    ];
    const d = diagnoseEvidence(evidenceFrom({ ...e, events }), POLICY);
    expect(d.change?.patch?.[0]?.path ?? '').not.toContain('/startupProbe/httpGet/path');
  });
});
