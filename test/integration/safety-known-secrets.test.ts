// Issue 19: a workload prints its own Secret's values (raw, Base64 at each alignment, URL-encoded, in JSON, each
// line of a multi-line value) to its log; the LLM request, MLflow, Slack and the worker's logs hold none of it.
import { randomBytes, randomUUID } from 'node:crypto';
import type { V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knownForms } from '../../src/safety/known-values.js';
import {
  assertNoSecret,
  startOpenAiStandIn,
  type OpenAiStandIn,
} from '../../tools/stand-ins/openai-stand-in.js';
import { deployment, useNamespace, type Kube } from './support/kube.js';
import * as mlflow from './support/mlflow-rest.js';
import { askForFix } from './support/slack-flow.js';
import { APPROVER, CHANNEL, click, startHarness, textOf, type Harness } from './support/slack-harness.js';
import { spawnWorker, type ChildWorker } from './support/spawn-worker.js';
import { waitFor } from './support/wait-for.js';

const EXPERIMENT = `it-known-secrets-${randomUUID()}`;
// Words, not a token shape: only the known-value matcher can tell these are secrets.
const PASSWORD = `tulip/${randomBytes(4).toString('hex')}+granite harbor`;
const KEY_LINES = [`first line of key ${randomBytes(4).toString('hex')}`, 'second line of that key'];
const b64 = (s: string, lead = ''): string => Buffer.from(lead + s).toString('base64');
// Every printed form the matcher knows of, plus the raw values: none may reach any output.
const FORBIDDEN = [
  ...new Set([PASSWORD, ...KEY_LINES, ...knownForms(PASSWORD), ...knownForms(KEY_LINES.join('\n'))]),
];

let k: Kube;
let ns: string;
let h: Harness;
let llm: OpenAiStandIn;
let worker: ChildWorker;

/** shop-web OOMing at 64Mi beside a sidecar that prints the Secret's values in every form, then sleeps. */
function leaky(): V1Deployment {
  const d = deployment('leaky', {
    image: 'acme/shop-web:1.4.0',
    env: [{ name: 'DATABASE_URL', value: 'postgres://db/shop' }],
    resources: { limits: { memory: '64Mi' } },
  });
  const lines = [
    'echo "connecting to the primary as app with $DB_PASSWORD"',
    `echo "settings blob ${b64(PASSWORD)}"`,
    `echo "settings blob ${b64(PASSWORD, 'a')}"`,
    `echo "settings blob ${b64(PASSWORD, 'ab')}"`,
    `echo "GET /session?next=${encodeURIComponent(PASSWORD)} 302"`,
    `echo '{"level":"info","msg":"login","detail":"user app with ${PASSWORD}"}'`,
    'echo "loaded key material:"',
    // A program prints a multi-line value line by line (the sandbox's log writer keeps one line per echo).
    `echo "${KEY_LINES[0]}"`,
    `echo "  ${KEY_LINES[1]}"`,
    'sleep 3600',
  ];
  d.spec!.template.spec!.containers.push({
    name: 'side',
    image: 'busybox:1.36',
    env: [
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
      { name: 'TLS_KEY', valueFrom: { secretKeyRef: { name: 'tls', key: 'tls.key' } } },
    ],
    command: ['sh', '-c', lines.join('; ')],
  });
  return d;
}

function oomAnswer() {
  return {
    json: {
      category: 'oom_killed',
      rootCause: 'Container app was OOMKilled: its 64Mi memory limit is below its working set.',
      summary: 'The memory limit of container app is too low.',
      confidence: 0.9,
      change: {
        summary: ['raise memory limit of container app from 64Mi to 128Mi'],
        patch: [
          {
            op: 'replace',
            path: '/spec/template/spec/containers/0/resources/limits/memory',
            valueJson: JSON.stringify('128Mi'),
          },
        ],
      },
      humanAction: null,
    },
    usage: { promptTokens: 1200, completionTokens: 80 },
  };
}

/** The forms found in `text` (reported by position, so the failure does not print the secret). */
const leaks = (text: string): number[] =>
  FORBIDDEN.map((f, i) => (text.includes(f) ? i : -1)).filter((i) => i >= 0);

useNamespace('known', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  llm = await startOpenAiStandIn();
  await k.core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'db' }, stringData: { password: PASSWORD } },
  });
  await k.core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'tls' }, stringData: { 'tls.key': KEY_LINES.join('\n') } },
  });
  await k.apps.createNamespacedDeployment({ namespace: ns, body: leaky() });
  // The values really are in the log, and the app container has restarted: what an investigation reads.
  const pod = await waitFor(
    async () =>
      (await k.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=leaky' })).items.find(
        (p) => (p.status?.containerStatuses?.find((c) => c.name === 'app')?.restartCount ?? 0) > 0,
      ),
    { what: 'leaky to restart', timeoutMs: 90_000 },
  );
  const log = await k.core.readNamespacedPodLog({
    namespace: ns,
    name: pod.metadata!.name!,
    container: 'side',
  });
  expect([`with ${PASSWORD}`, KEY_LINES[1]!, b64(PASSWORD, 'ab')].map((f) => log.includes(f))).toEqual([
    true,
    true,
    true,
  ]);
  h = await startHarness({
    env: { AUTOFIX_NAMESPACES: ns, MLFLOW_EXPERIMENT_NAME: EXPERIMENT },
    worker: false,
  });
  // The worker as its own process, so its logs are the real ones; the LLM is the wire-level stand-in.
  worker = spawnWorker({
    ...h.env,
    LOG_LEVEL: 'debug',
    OPENAI_API_KEY: llm.apiKey,
    OPENAI_BASE_URL: llm.url,
    AUTOFIX_LLM_MAX_RETRIES: '0',
  });
  await worker.ready();
}, 240_000);

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await h?.close();
  await llm?.close();
});

describe('the workload’s own Secret values reach no output', () => {
  it('proposal, approval and rollout: none of the values in the LLM request, MLflow, Slack or the worker logs', async () => {
    llm.push(oomAnswer(), oomAnswer());
    const asked = await askForFix(h, ns, 'leaky');
    expect(textOf(asked.proposal)).toContain('128Mi');
    await click(h, 'autofix_approve', asked.proposalId, APPROVER, {
      channel: CHANNEL,
      messageTs: asked.proposal.ts,
      threadTs: asked.proposal.threadTs ?? undefined,
    });
    await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, asked.parent.ts).find((m) => m.text.includes('Applied fix')),
      120_000,
      'the apply result',
    );
    const record = (await h.store.get(asked.proposalId))!;
    expect(record.state).toBe('applied');

    // The model saw the log, masked.
    expect(llm.requests.length).toBeGreaterThanOrEqual(1);
    const prompt = JSON.stringify(llm.requests.map((r) => r.body));
    expect(prompt).toContain('connecting to the primary as app with [REDACTED]');
    assertNoSecret(llm.requests, FORBIDDEN);
    expect(leaks(prompt), 'LLM request').toEqual([]);

    // Slack: every call the bot and the worker made (messages, updates, all versions), and every response.
    expect(leaks(JSON.stringify(h.slack.calls())), 'Slack calls').toEqual([]);
    expect(leaks(JSON.stringify(h.slack.responses())), 'Slack responses').toEqual([]);

    // MLflow: every run of the experiment (params, tags, metrics), every artifact, every trace.
    const experiment = await mlflow.experimentId(EXPERIMENT);
    const runs = await mlflow.searchRuns(experiment);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    let artifacts = 0;
    let evidenceSeen = false;
    for (const run of runs) {
      expect(leaks(JSON.stringify(run)), `run ${run.info.run_name}`).toEqual([]);
      for (const path of await mlflow.artifactPaths(run.info.run_id)) {
        const text = await mlflow.artifactText(run, path);
        expect(leaks(text), `${run.info.run_name}/${path}`).toEqual([]);
        if (path.endsWith('evidence.json') && text.includes('connecting to the primary')) evidenceSeen = true;
        artifacts++;
      }
    }
    expect(artifacts).toBeGreaterThanOrEqual(5);
    expect(evidenceSeen).toBe(true);
    const traces = await mlflow.searchTraces(experiment);
    expect(traces.length).toBeGreaterThanOrEqual(1);
    for (const t of traces)
      expect(leaks(JSON.stringify(await mlflow.getTrace(t.trace_id))), t.trace_id).toEqual([]);

    // The worker's own logs (debug level), from its start to the rollout.
    expect(worker.logs()).toContain(asked.proposalId);
    expect(leaks(worker.logs()), 'worker logs').toEqual([]);
  });
});
