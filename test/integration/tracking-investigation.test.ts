// Issue 4 end to end: every diagnose/fix of the real CLI is an MLflow run you can inspect (params, metrics, tags,
// artifacts, nested runs, trace, status), and no secret of the workload reaches MLflow (outages: tracking-outage).
import { randomBytes, randomUUID } from 'node:crypto';
import type { V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzers } from '../../src/agent/analyzers/registry.js';
import { finishRun } from '../../src/workflow/finish-run.js';
import { investigate, toResult } from '../../src/agent/investigate.js';
import { wireAgent } from '../../src/cli/wire-agent.js';
import { readBundle } from '../../src/tracking/replay-bundle.js';
import { promptVersion } from '../../src/tracking/agent-version.js';
import { diagnosisPrompts } from '../../src/agent/diagnose/llm/prompts/prompt-set.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import {
  assertNoSecret,
  startOpenAiStandIn,
  type OpenAiStandIn,
  type ScriptedReply,
} from '../../tools/stand-ins/openai-stand-in.js';
import { sandboxEnv } from './sandbox-env.js';
import { cliProcess } from './support/cli-process.js';
import { deployment, type Kube, useNamespace } from './support/kube.js';
import * as mlflow from './support/mlflow-rest.js';
import { runCli, type CliRun } from './support/run-cli.js';
import { waitFor } from './support/wait-for.js';

const EXPERIMENT = `it-tracking-investigation-${randomUUID()}`;
const CANARY = `cnry${randomBytes(6).toString('hex')}`;
const canary = { env: `${CANARY}env`, secret: `${CANARY}sec`, log: `${CANARY}log` };

const PER_ITERATION = [
  'api_calls',
  'collect_seconds',
  'confidence',
  'dry_run_passed',
  'iteration_seconds',
  'policy_passed',
];
const LLM_METRICS = ['completion_tokens', 'llm_latency_seconds', 'prompt_tokens'];
/** On the parent only: the whole investigation's LLM calls, tokens and estimated cost. */
const LLM_TOTALS = ['llm_calls', 'llm_cost_usd', 'llm_tokens'];
const ITERATION_ARTIFACTS = [
  'corrected.yaml',
  'diagnosis.json',
  'evidence.json',
  'findings.json',
  'proposal.diff',
  'validation.json',
];

let k: Kube;
let ns: string;
let llm: OpenAiStandIn;
let experimentId = '';

/** shop-web OOMing at 64Mi, with a credential in an env value, a Secret-backed env, and a sidecar logging a bearer token. */
function leaky(name: string): V1Deployment {
  const d = deployment(name, {
    image: 'acme/shop-web:1.4.0',
    env: [
      { name: 'DATABASE_URL', value: 'postgres://db/shop' },
      { name: 'API_TOKEN', value: canary.env },
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
    ],
    resources: { limits: { memory: '64Mi' } },
  });
  d.spec!.template.spec!.containers.push({
    name: 'side',
    image: 'busybox:1.36',
    command: ['sh', '-c', `echo "Authorization: Bearer ${canary.log}"; sleep 3600`],
  });
  return d;
}

const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  AUTOFIX_NAMESPACES: ns,
  MLFLOW_TRACKING_URI: mlflow.mlflowUri(),
  MLFLOW_EXPERIMENT_NAME: EXPERIMENT,
  ...extra,
});
const llmEnv = (extra: Record<string, string> = {}): Record<string, string> =>
  env({ OPENAI_API_KEY: llm.apiKey, OPENAI_BASE_URL: llm.url, AUTOFIX_LLM_MAX_RETRIES: '0', ...extra });

/** A good structured answer for the OOM (or `patch` instead of the memory raise). */
function llmAnswer(
  change: { summary: string; path: string; value: string } = {
    summary: 'raise memory limit of container app from 64Mi to 128Mi',
    path: '/spec/template/spec/containers/0/resources/limits/memory',
    value: '128Mi',
  },
): ScriptedReply {
  return {
    json: {
      category: 'oom_killed',
      rootCause: 'Container app was OOMKilled: its 64Mi memory limit is below its working set.',
      summary: 'The memory limit of container app is too low.',
      confidence: 0.9,
      change: {
        summary: [change.summary],
        patch: [{ op: 'replace', path: change.path, valueJson: JSON.stringify(change.value) }],
      },
      humanAction: null,
    },
    usage: { promptTokens: 1200, completionTokens: 80 },
  };
}

const diagnose = (name: string, e = env()): Promise<CliRun> =>
  runCli('diagnose', `deployment/${name}`, { namespace: ns }, e);

/** The parent run of a CLI result, checked to be reachable by its `--json` link. */
async function trackedRun(r: CliRun): Promise<mlflow.RunJson> {
  expect(r.json.tracking).not.toBeNull();
  const { runId, runUrl } = r.json.tracking!;
  const run = await mlflow.getRun(runId);
  expect(runUrl).toBe(`${mlflow.mlflowUri()}/#/experiments/${run.info.experiment_id}/runs/${runId}`);
  expect((await fetch(runUrl)).status).toBe(200);
  return run;
}

const metricKeys = (run: mlflow.RunJson): string[] => (run.data.metrics ?? []).map((m) => m.key).sort();
const metric = (run: mlflow.RunJson, key: string): number | undefined =>
  run.data.metrics?.find((m) => m.key === key)?.value;
const autofixTags = (run: mlflow.RunJson): Record<string, string> =>
  Object.fromEntries(Object.entries(mlflow.kv(run.data.tags)).filter(([key]) => key.startsWith('autofix.')));

/** The run's trace (linked to it), as span views by name; names that occur more than once keep the last. */
async function spansOf(run: mlflow.RunJson): Promise<Map<string, mlflow.SpanView>> {
  const linked = await mlflow.tracesOfRun(run.info.experiment_id, run.info.run_id);
  expect(linked.map((t) => t.trace_id)).toEqual([`tr-${run.info.run_id}`]);
  const { trace } = await mlflow.getTrace(linked[0]!.trace_id);
  return new Map(trace.spans.map((s) => [s.name, mlflow.spanView(s)]));
}

useNamespace('trk', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  llm = await startOpenAiStandIn();
  await k.core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: 'db' }, stringData: { password: canary.secret } },
  });
  for (const name of ['oom', 'oom-fix', 'oom-bad'])
    await k.apps.createNamespacedDeployment({ namespace: ns, body: leaky(name) });
  await k.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('crash', { image: 'postgres:16' }),
  });
  // The failures and the token-bearing log line are visible, as a user would first see them.
  await waitFor(
    async () => {
      const pods = (await k.core.listNamespacedPod({ namespace: ns })).items;
      const restarted = (app: string) =>
        pods.some(
          (p) =>
            p.metadata?.labels?.app === app &&
            (p.status?.containerStatuses?.find((c) => c.name === 'app')?.restartCount ?? 0) > 0,
        );
      return ['oom', 'oom-fix', 'oom-bad', 'crash'].every(restarted);
    },
    { what: 'the broken workloads to restart', timeoutMs: 90_000 },
  );
  // The confidence asserted below counts the kubelet's BackOff event as a second source: wait for that
  // fact itself (a restart alone can be observed before its event is recorded).
  await waitFor(
    async () => {
      const pods = (await k.core.listNamespacedPod({ namespace: ns })).items;
      const events = (await k.core.listNamespacedEvent({ namespace: ns })).items;
      const backedOff = (app: string) =>
        events.some(
          (e) =>
            e.reason === 'BackOff' &&
            e.message?.includes('container app ') &&
            pods.some((p) => p.metadata?.labels?.app === app && p.metadata?.name === e.involvedObject.name),
        );
      return ['oom', 'oom-fix', 'oom-bad'].every(backedOff);
    },
    { what: 'the BackOff events of the OOMing containers', timeoutMs: 90_000 },
  );
  const pod = (await k.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=oom' })).items[0]!;
  const log = await k.core.readNamespacedPodLog({
    namespace: ns,
    name: pod.metadata!.name!,
    container: 'side',
  });
  expect(log).toContain(`Authorization: Bearer ${canary.log}`);
});

afterAll(async () => {
  await llm?.close();
});

describe('a diagnose is one MLflow run with everything issue 4 lists', () => {
  it('rule engine: params, per-iteration and final metrics, tags, nested run, artifacts, link and trace', async () => {
    const r = await diagnose('oom');
    expect([r.code, r.json.outcome, r.json.diagnosis?.category]).toEqual([0, 'proposed', 'oom_killed']);
    const run = await trackedRun(r);
    experimentId = run.info.experiment_id;
    expect(run.info).toMatchObject({ run_name: `deployment/oom@${ns}`, status: 'FINISHED' });
    expect(mlflow.kv(run.data.params)).toEqual({
      target_kind: 'Deployment',
      target_name: 'oom',
      namespace: ns,
      engine: 'rules',
      model: 'rules',
      max_iterations: '3',
      policy_level: 'baseline',
      agent_version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    expect(metricKeys(run)).toEqual(
      [...PER_ITERATION, 'iterations', 'success', 'time_to_proposal_seconds'].sort(),
    );
    for (const key of PER_ITERATION)
      expect((await mlflow.metricHistory(run.info.run_id, key)).map(([, step]) => step)).toEqual([1]);
    expect([
      metric(run, 'iterations'),
      metric(run, 'success'),
      metric(run, 'confidence'),
      metric(run, 'policy_passed'),
      metric(run, 'dry_run_passed'),
    ]).toEqual([1, 1, 0.8, 1, 1]);
    expect(metric(run, 'time_to_proposal_seconds')).toBeGreaterThan(0);
    expect(autofixTags(run)).toEqual({
      'autofix.target': `deployment/${ns}/oom`,
      'autofix.cluster': 'default',
      'autofix.engine': 'rules',
      'autofix.category': 'oom_killed',
      'autofix.outcome': 'proposed',
      'autofix.trigger': 'cli',
      // The story's facts: a CLI command is its own session.
      'autofix.session': expect.stringMatching(/^cli-[0-9a-f-]{36}$/),
      'autofix.root_cause': r.json.diagnosis!.rootCause,
      'autofix.confidence': '0.8',
      'autofix.story': expect.any(String),
      'autofix.replay.schema': '1',
      // The agent version runs group by (the rule engine renders no prompt).
      'autofix.agent_version': expect.stringMatching(/^\d+\.\d+\.\d+[^/]*\/rules\/rules\/none$/),
      'autofix.prompt_version': 'none',
    });
    expect(mlflow.kv(run.data.tags)['mlflow.note.content']).toContain(r.json.diagnosis!.rootCause);

    const nested = await mlflow.nestedRuns(experimentId, run.info.run_id);
    expect([...nested.keys()]).toEqual(['iteration-1']);
    const it1 = nested.get('iteration-1')!;
    expect(it1.info.status).toBe('FINISHED');
    expect(metricKeys(it1)).toEqual(PER_ITERATION);
    expect(await mlflow.artifactPaths(it1.info.run_id)).toEqual(ITERATION_ARTIFACTS);
    // The replay bundle is on the parent: exactly the evidence and findings of the iteration, redacted alike.
    expect(await mlflow.artifactPaths(run.info.run_id)).toEqual(['replay/iteration-1.json']);
    const bundle = readBundle(await mlflow.artifactText(run, 'replay/iteration-1.json'), 'iteration-1');
    expect(bundle).toMatchObject({ iteration: 1, engine: { name: 'rules', model: 'rules' }, trimmed: [] });
    expect(bundle.recorded.diagnosis).toEqual(JSON.parse(await mlflow.artifactText(it1, 'diagnosis.json')));
    expect(bundle.input.evidence).toEqual(JSON.parse(await mlflow.artifactText(it1, 'evidence.json')));
    expect(bundle.input.findings).toEqual(JSON.parse(await mlflow.artifactText(it1, 'findings.json')));
    const evidence = JSON.parse(await mlflow.artifactText(it1, 'evidence.json')) as {
      target: unknown;
      logs: { lines: string[] }[];
    };
    expect(evidence.target).toEqual({ kind: 'Deployment', name: 'oom', namespace: ns });
    expect(evidence.logs.flatMap((l) => l.lines)).toContain('Authorization: Bearer [REDACTED]');
    expect(JSON.parse(await mlflow.artifactText(it1, 'diagnosis.json'))).toMatchObject({
      category: 'oom_killed',
      engine: 'rules',
    });
    expect(JSON.parse(await mlflow.artifactText(it1, 'findings.json'))).toEqual(
      expect.arrayContaining([expect.objectContaining({ category: 'oom_killed' })]),
    );
    expect(await mlflow.artifactText(it1, 'proposal.diff')).toBe(r.json.proposal?.diff);
    expect(await mlflow.artifactText(it1, 'corrected.yaml')).toMatch(/memory: 128Mi/);
    expect(JSON.parse(await mlflow.artifactText(it1, 'validation.json'))).toEqual(r.json.validation);

    const traces = await mlflow.searchTraces(experimentId);
    expect(traces).toContainEqual(
      expect.objectContaining({ trace_id: `tr-${run.info.run_id}`, state: 'OK' }),
    );
    const spans = await spansOf(run);
    const root = spans.get(`investigate deployment/oom@${ns}`)!;
    expect(root).toMatchObject({ type: 'AGENT', parent: null, status: 'STATUS_CODE_OK' });
    const iteration = spans.get('iteration 1')!;
    expect(iteration).toMatchObject({ type: 'CHAIN', parent: root.id });
    expect(spans.get('collect')).toMatchObject({ type: 'RETRIEVER', parent: iteration.id });
    for (const name of Object.keys(analyzers))
      expect(spans.get(`analyze.${name}`)).toMatchObject({ type: 'TOOL', parent: iteration.id });
    expect(spans.get('diagnose')).toMatchObject({ type: 'CHAIN', parent: iteration.id });
    const validate = spans.get('validate')!;
    expect(validate.parent).toBe(iteration.id);
    expect(spans.get('policy')).toMatchObject({
      type: 'TOOL',
      parent: validate.id,
      status: 'STATUS_CODE_OK',
    });
    expect(spans.get('dry-run')).toMatchObject({
      type: 'TOOL',
      parent: validate.id,
      status: 'STATUS_CODE_OK',
    });
  });

  it('LLM engine with AUTOFIX_LOG_PROMPTS=true: token and latency metrics, an LLM span with usage, prompt.json and completion.json', async () => {
    const before = llm.requests.length;
    llm.push(llmAnswer());
    const r = await diagnose('oom', llmEnv({ AUTOFIX_LOG_PROMPTS: 'true' }));
    expect(llm.requests.length - before).toBe(1);
    expect([r.json.outcome, r.json.diagnosis?.engine]).toEqual(['proposed', 'llm']);
    const run = await trackedRun(r);
    expect(mlflow.kv(run.data.params)).toMatchObject({ engine: 'llm', model: 'gpt-4o-mini' });
    expect(metricKeys(run)).toEqual(
      [
        ...PER_ITERATION,
        ...LLM_METRICS,
        ...LLM_TOTALS,
        'iterations',
        'success',
        'time_to_proposal_seconds',
      ].sort(),
    );
    expect([metric(run, 'prompt_tokens'), metric(run, 'completion_tokens')]).toEqual([1200, 80]);
    // The investigation's totals: one call, at gpt-4o-mini's list price.
    expect([metric(run, 'llm_calls'), metric(run, 'llm_tokens')]).toEqual([1, 1280]);
    expect(metric(run, 'llm_cost_usd')).toBeCloseTo((1200 * 0.15 + 80 * 0.6) / 1e6, 12);
    expect(await mlflow.metricHistory(run.info.run_id, 'prompt_tokens')).toEqual([[1200, 1]]);
    expect(metric(run, 'llm_latency_seconds')).toBeGreaterThan(0);
    expect(autofixTags(run)).toMatchObject({
      'autofix.engine': 'llm',
      'autofix.outcome': 'proposed',
      'autofix.prompt_version': promptVersion(diagnosisPrompts()),
      'autofix.agent_version': expect.stringMatching(/\/llm\/gpt-4o-mini\/[0-9a-f]{12}$/),
    });
    // The diagnosis prompts' registry versions, linked as MLflow links a prompt to a run.
    const linked = JSON.parse(mlflow.kv(run.data.tags)['mlflow.linkedPrompts']!) as { name: string }[];
    expect(linked.map((p) => p.name).sort()).toEqual([
      'kube-autofix-diagnose-system',
      'kube-autofix-diagnose-user',
    ]);
    const it1 = (await mlflow.nestedRuns(run.info.experiment_id, run.info.run_id)).get('iteration-1')!;
    expect(metricKeys(it1)).toEqual([...PER_ITERATION, ...LLM_METRICS].sort());
    expect(await mlflow.artifactPaths(it1.info.run_id)).toEqual(
      [...ITERATION_ARTIFACTS, 'completion.json', 'prompt.json'].sort(),
    );
    expect(await mlflow.artifactText(it1, 'prompt.json')).toContain('[REDACTED]');
    const spans = await spansOf(run);
    // One LLM span per call, under a diagnose span that carries no usage of its own.
    expect(spans.get('diagnose')).toMatchObject({ type: 'CHAIN', usage: undefined });
    expect(spans.get('llm call 1')).toMatchObject({
      type: 'LLM',
      parent: spans.get('diagnose')!.id,
      usage: { input_tokens: 1200, output_tokens: 80, total_tokens: 1280 },
    });
    const [info] = await mlflow.tracesOfRun(run.info.experiment_id, run.info.run_id);
    expect(JSON.parse(info!.trace_metadata!['mlflow.trace.tokenUsage']!)).toEqual({
      input_tokens: 1200,
      output_tokens: 80,
      total_tokens: 1280,
    });
  });

  it('a corrective re-ask is a second LLM span with its own usage; the trace sums both', async () => {
    llm.push({ raw: 'not json at all', usage: { promptTokens: 1000, completionTokens: 7 } }, llmAnswer());
    // One retry in the budget: the corrective re-ask.
    const r = await diagnose('oom', llmEnv({ AUTOFIX_LLM_MAX_RETRIES: '1' }));
    expect(r.json.diagnosis?.engine).toBe('llm');
    const run = await trackedRun(r);
    const spans = await spansOf(run);
    const diagnoseId = spans.get('diagnose')!.id;
    expect(spans.get('llm call 1')).toMatchObject({
      parent: diagnoseId,
      usage: { input_tokens: 1000, output_tokens: 7, total_tokens: 1007 },
    });
    expect(spans.get('llm call 2')).toMatchObject({
      parent: diagnoseId,
      usage: { input_tokens: 1200, output_tokens: 80, total_tokens: 1280 },
    });
    const [info] = await mlflow.tracesOfRun(run.info.experiment_id, run.info.run_id);
    expect(JSON.parse(info!.trace_metadata!['mlflow.trace.tokenUsage']!)).toEqual({
      input_tokens: 2200,
      output_tokens: 87,
      total_tokens: 2287,
    });
  });

  it('LLM engine without AUTOFIX_LOG_PROMPTS: no prompt.json or completion.json', async () => {
    llm.push(llmAnswer());
    const r = await diagnose('oom', llmEnv());
    expect(r.json.diagnosis?.engine).toBe('llm');
    const run = await trackedRun(r);
    const it1 = (await mlflow.nestedRuns(run.info.experiment_id, run.info.run_id)).get('iteration-1')!;
    expect(await mlflow.artifactPaths(it1.info.run_id)).toEqual(ITERATION_ARTIFACTS);
  });

  it('no safe fix is a completed investigation (FINISHED, success 0); a target that vanished is FAILED with the error', async () => {
    const crash = await diagnose('crash');
    expect([crash.code, crash.json.outcome]).toEqual([1, 'no_safe_fix']);
    const run = await trackedRun(crash);
    expect(run.info.status).toBe('FINISHED');
    expect(metricKeys(run)).toEqual([
      'api_calls',
      'collect_seconds',
      'confidence',
      'iteration_seconds',
      'iterations',
      'success',
    ]);
    expect(metric(run, 'success')).toBe(0);
    expect(autofixTags(run)).toMatchObject({
      'autofix.outcome': 'no_safe_fix',
      'autofix.category': 'crash_loop',
    });
    expect(
      [...(await mlflow.nestedRuns(run.info.experiment_id, run.info.run_id)).values()].map(
        (n) => n.info.status,
      ),
    ).toEqual(['FINISHED']);

    const missing = await diagnose('nope');
    expect([missing.code, missing.json.outcome]).toEqual([2, 'refused']);
    const failed = await trackedRun(missing);
    expect(failed.info.status).toBe('FAILED');
    expect(metric(failed, 'success')).toBe(0);
    expect(autofixTags(failed)).toMatchObject({
      'autofix.outcome': 'refused',
      'autofix.error': expect.stringMatching(/not found/),
    });
    expect(
      [...(await mlflow.nestedRuns(failed.info.experiment_id, failed.info.run_id)).values()].map(
        (n) => n.info.status,
      ),
    ).toEqual(['FAILED']);
  });

  it('requested_by and channel are tags when the request names them (the agent API the worker calls)', async () => {
    const deps = wireAgent(
      loadConfig({ ...env(), KUBECONFIG: sandboxEnv().KUBECONFIG }),
      createLogger('silent'),
      () => undefined,
    );
    const inv = await investigate({ kind: 'Deployment', name: 'oom', namespace: ns }, deps, {
      requestedBy: 'U0TESTER',
      channel: 'C0OPS',
    });
    await finishRun(inv.run, toResult(inv));
    expect(inv.run.warnings).toEqual([]);
    const run = await mlflow.getRun(inv.run.runId!);
    expect(autofixTags(run)).toMatchObject({
      'autofix.requested_by': 'U0TESTER',
      'autofix.channel': 'C0OPS',
      'autofix.outcome': 'proposed',
    });
  });
});

describe('a fix adds the apply nested run', () => {
  it('fix --yes: apply.json and rollout.json, time_to_healthy_seconds, decision and approver, apply and rollout spans', async () => {
    const r = await runCli('fix', 'deployment/oom-fix', { namespace: ns, yes: true }, env());
    expect([r.code, r.json.outcome, r.json.apply?.rolloutHealthy]).toEqual([0, 'fixed', true]);
    const run = await trackedRun(r);
    expect(run.info.status).toBe('FINISHED');
    expect(metricKeys(run)).toEqual(
      [
        ...PER_ITERATION,
        'iterations',
        'success',
        'time_to_healthy_seconds',
        'time_to_proposal_seconds',
      ].sort(),
    );
    expect(metric(run, 'time_to_healthy_seconds')).toBeGreaterThan(metric(run, 'time_to_proposal_seconds')!);
    expect(metric(run, 'success')).toBe(1);
    expect(autofixTags(run)).toEqual({
      'autofix.target': `deployment/${ns}/oom-fix`,
      'autofix.cluster': 'default',
      'autofix.engine': 'rules',
      'autofix.category': 'oom_killed',
      'autofix.outcome': 'fixed',
      'autofix.trigger': 'cli',
      'autofix.decision': 'approved',
      'autofix.approved_by': 'cli --yes',
      'autofix.decided_at': expect.any(String),
      'autofix.rollout_healthy': 'true',
      'autofix.time_to_healthy_seconds': expect.stringMatching(/^\d+\.\d$/),
      'autofix.session': expect.stringMatching(/^cli-/),
      'autofix.root_cause': expect.any(String),
      'autofix.confidence': expect.any(String),
      'autofix.story': expect.any(String),
      'autofix.replay.schema': '1',
      // The agent version runs group by (the rule engine renders no prompt).
      'autofix.agent_version': expect.stringMatching(/^\d+\.\d+\.\d+[^/]*\/rules\/rules\/none$/),
      'autofix.prompt_version': 'none',
      // The labels eval --replay scores against: approved, this change, applied and healthy.
      'autofix.label.1.verdict': 'approved',
      'autofix.label.1.approved_change': expect.stringContaining('"op":"replace"'),
      'autofix.label.1.applied': 'true',
      'autofix.label.1.healthy': 'true',
    });
    const nested = await mlflow.nestedRuns(run.info.experiment_id, run.info.run_id);
    expect([...nested.entries()].map(([name, n]) => [name, n.info.status])).toEqual([
      ['iteration-1', 'FINISHED'],
      ['apply', 'FINISHED'],
    ]);
    const apply = nested.get('apply')!;
    expect(await mlflow.artifactPaths(apply.info.run_id)).toEqual(['apply.json', 'rollout.json']);
    expect(JSON.parse(await mlflow.artifactText(apply, 'apply.json'))).toMatchObject({
      approvedBy: 'cli --yes',
    });
    expect(JSON.parse(await mlflow.artifactText(apply, 'rollout.json'))).toMatchObject({
      applied: true,
      rolloutHealthy: true,
    });
    const spans = await spansOf(run);
    const applySpan = spans.get('apply')!;
    expect(applySpan).toMatchObject({
      type: 'CHAIN',
      parent: spans.get(`investigate deployment/oom-fix@${ns}`)!.id,
    });
    expect(spans.get('server-side apply')).toMatchObject({
      type: 'TOOL',
      parent: applySpan.id,
      status: 'STATUS_CODE_OK',
    });
    expect(spans.get('rollout')).toMatchObject({
      type: 'TOOL',
      parent: applySpan.id,
      status: 'STATUS_CODE_OK',
    });
  });

  it('a fix that does not heal ends FAILED, with the failed rollout in the apply run and the trace', async () => {
    llm.push(
      llmAnswer({
        // Same repository as every revision (a new one would be flagged, and --yes never applies a flag).
        summary: 'use image acme/shop-web:9.9.9',
        path: '/spec/template/spec/containers/0/image',
        value: 'acme/shop-web:9.9.9',
      }),
    );
    const e = llmEnv({ AUTOFIX_ROLLOUT_TIMEOUT: '15s' });
    const r = await runCli('fix', 'deployment/oom-bad', { namespace: ns, yes: true, maxIterations: '1' }, e);
    expect([r.code, r.json.outcome, r.json.apply?.rolloutHealthy]).toEqual([1, 'not_fixed', false]);
    const run = await trackedRun(r);
    expect(run.info.status).toBe('FAILED');
    expect(metric(run, 'success')).toBe(0);
    expect(metricKeys(run)).not.toContain('time_to_healthy_seconds');
    expect(autofixTags(run)).toMatchObject({
      'autofix.outcome': 'not_fixed',
      'autofix.decision': 'approved',
    });
    const apply = (await mlflow.nestedRuns(run.info.experiment_id, run.info.run_id)).get('apply')!;
    expect(apply.info.status).toBe('FAILED');
    expect(JSON.parse(await mlflow.artifactText(apply, 'rollout.json'))).toMatchObject({
      applied: true,
      rolloutHealthy: false,
    });
    const spans = await spansOf(run);
    expect(spans.get('rollout')).toMatchObject({ status: 'STATUS_CODE_ERROR' });
    expect(spans.get(`investigate deployment/oom-bad@${ns}`)).toMatchObject({ status: 'STATUS_CODE_ERROR' });
  });
});

describe('an interrupted investigation', () => {
  it('SIGTERM while the LLM thinks: the run and its open iteration end KILLED, the process exits 143', async () => {
    const experiment = `${EXPERIMENT}-killed`;
    const before = llm.requests.length;
    llm.push({ ...llmAnswer(), delayMs: 60_000 });
    const p = await cliProcess(
      ['diagnose', 'deployment/oom', '-n', ns, '--json'],
      llmEnv({ MLFLOW_EXPERIMENT_NAME: experiment }),
      async (child) => {
        await waitFor(async () => llm.requests.length > before, {
          what: 'the CLI to ask the LLM',
          timeoutMs: 60_000,
        });
        child.kill('SIGTERM');
      },
    );
    expect(p.code).toBe(143);
    expect(p.stderr).toMatch(/interrupted \(SIGTERM\)/);
    const runs = await mlflow.searchRuns(await mlflow.experimentId(experiment));
    const parent = runs.find((r) => !mlflow.kv(r.data.tags)['mlflow.parentRunId'])!;
    expect(parent.info.status).toBe('KILLED');
    expect(autofixTags(parent)).toMatchObject({ 'autofix.interrupted': 'SIGTERM' });
    expect(runs.filter((r) => r !== parent).map((r) => [r.info.run_name, r.info.status])).toEqual([
      ['iteration-1', 'KILLED'],
    ]);
    expect((await spansOf(parent)).get(`investigate deployment/oom@${ns}`)).toMatchObject({
      status: 'STATUS_CODE_ERROR',
    });
  });
});

describe('no secret of the workload reaches MLflow', () => {
  it('the canaries are in no param, tag, metric, artifact or trace span of any run, with or without prompt logging', async () => {
    expect(experimentId).not.toBe('');
    const runs = [
      ...(await mlflow.searchRuns(experimentId)),
      ...(await mlflow.searchRuns(await mlflow.experimentId(`${EXPERIMENT}-killed`))),
    ];
    expect(runs.length).toBeGreaterThanOrEqual(15);
    let artifacts = 0;
    let prompts = 0;
    for (const run of runs) {
      expect(JSON.stringify(run), `run ${run.info.run_name}`).not.toContain(CANARY);
      for (const path of await mlflow.artifactPaths(run.info.run_id)) {
        const text = await mlflow.artifactText(run, path);
        expect(text.includes(CANARY), `${run.info.run_name}/${path}`).toBe(false);
        artifacts++;
        if (path === 'prompt.json') prompts++;
      }
    }
    expect(artifacts).toBeGreaterThanOrEqual(40);
    expect(prompts).toBeGreaterThanOrEqual(1);
    const traces = [
      ...(await mlflow.searchTraces(experimentId)),
      ...(await mlflow.searchTraces(await mlflow.experimentId(`${EXPERIMENT}-killed`))),
    ];
    expect(traces.length).toBeGreaterThanOrEqual(8);
    for (const t of traces)
      expect(JSON.stringify(await mlflow.getTrace(t.trace_id)).includes(CANARY), t.trace_id).toBe(false);
    // Nor did the model see them.
    assertNoSecret(llm.requests, Object.values(canary));
  });
});
