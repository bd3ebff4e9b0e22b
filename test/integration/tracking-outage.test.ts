// Tracking never breaks an investigation: with MLflow down, answering 500 or refusing credentials the CLI gives the
// same result as without tracking, `tracking` is null, and the problem is reported exactly once.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  mlflowError,
  startMlflowFailureServer,
} from '../../tools/stand-ins/mlflow-failure-server.js';
import { cliProcess } from './support/cli-process.js';
import { createNamespace, createOomLoop, deleteNamespace, kube, type Kube } from './support/kube.js';
import { runCli, type CliRun } from './support/run-cli.js';

/** Must never be printed: the wrong password sent to the server that refuses it. */
const CANARY = `cnry${randomBytes(6).toString('hex')}`;

let k: Kube;
let ns: string;

const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  AUTOFIX_NAMESPACES: ns,
  MLFLOW_EXPERIMENT_NAME: `it-tracking-outage-${randomUUID()}`,
  ...extra,
});
const diagnose = (e: Record<string, string>): Promise<CliRun> =>
  runCli('diagnose', 'deployment/oom', { namespace: ns }, e);

beforeAll(async () => {
  k = kube();
  ns = await createNamespace(k, 'trk-down');
  await createOomLoop(k, ns);
});

afterAll(async () => {
  await deleteNamespace(k, ns);
});

describe('tracking never breaks an investigation', () => {
  const same = (r: CliRun) => ({
    code: r.code,
    outcome: r.json.outcome,
    category: r.json.diagnosis?.category,
    diff: r.json.proposal?.diff,
  });
  const trackingLines = (text: string): string[] =>
    text.split('\n').filter((l) => /tracking|mlflow/i.test(l));

  it('MLflow down, answering 500, or refusing credentials: same result as without tracking, tracking null, one warning', async () => {
    const baseline = await diagnose({ AUTOFIX_NAMESPACES: ns });
    expect(baseline.json.tracking).toBeNull();
    expect(trackingLines(baseline.stderr)).toEqual([]);
    const failing = await startMlflowFailureServer((req) =>
      req.headers.authorization === undefined
        ? mlflowError(500, 'INTERNAL_ERROR', 'database is locked')
        : mlflowError(401, 'UNAUTHENTICATED', 'Invalid credentials'),
    );
    try {
      const cases: [string, Record<string, string>, RegExp][] = [
        ['down', { MLFLOW_TRACKING_URI: `http://127.0.0.1:${await closedPort()}` }, /unreachable/],
        ['500', { MLFLOW_TRACKING_URI: failing.url }, /500/],
        [
          '401',
          {
            MLFLOW_TRACKING_URI: failing.url,
            MLFLOW_TRACKING_USERNAME: 'alice',
            MLFLOW_TRACKING_PASSWORD: `wrong-${CANARY}`,
          },
          /401/,
        ],
      ];
      for (const [what, overrides, reason] of cases) {
        const started = Date.now();
        const r = await diagnose(env(overrides));
        expect(same(r), what).toEqual(same(baseline));
        expect(r.json.tracking, what).toBeNull();
        const lines = trackingLines(r.stderr);
        expect(lines, what).toHaveLength(1);
        expect(lines[0], what).toMatch(
          /^kube-autofix: tracking: MLflow tracking is off for this investigation: /,
        );
        expect(lines[0], what).toMatch(reason);
        expect(r.stderr + r.stdout, what).not.toContain(CANARY);
        expect(Date.now() - started, what).toBeLessThan(30_000);
      }
      expect(failing.requests.some((q) => q.headers.authorization?.startsWith('Basic '))).toBe(true);
    } finally {
      await failing.close();
    }
  });

  it('the human report notes the problem once, and nothing else on the process output repeats it', async () => {
    const p = await cliProcess(
      ['diagnose', 'deployment/oom', '-n', ns],
      env({ MLFLOW_TRACKING_URI: `http://127.0.0.1:${await closedPort()}` }),
    );
    expect(p.code).toBe(0);
    expect(trackingLines(p.stdout + p.stderr)).toEqual([
      expect.stringMatching(/^Note: +tracking: MLflow tracking is off for this investigation: .*unreachable/),
    ]);
    expect(p.stdout).not.toMatch(/MLflow run:/);
  });
});
