// Issue 22: every incident a regression test. A real investigation is recorded on the sandbox MLflow (a fix
// that heals, a diagnosis whose proposal is rejected), then `eval --replay` re-runs the recorded evidence with
// the rule engine and with an OpenAI-compatible model, with no cluster, and the evaluation runs are checked.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  runReplayCommand,
  type ReplayCommandDeps,
  type ReplayOptions,
} from '../../src/cli/eval/replay-command.js';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/observability/logger.js';
import { createTracker } from '../../src/tracking/create-tracker.js';
import { diagnosisPrompts } from '../../src/agent/diagnose/llm/prompts/prompt-set.js';
import { promptVersion, registerPrompts } from '../../src/tracking/agent-version.js';
import { createMlflowClient } from '../../src/tracking/mlflow-client.js';
import { verdictLabels } from '../../src/tracking/outcome-labels.js';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../tools/stand-ins/openai-stand-in.js';
import { createOomLoop, type Kube, useNamespace } from './support/kube.js';
import { startMlflowProxy } from './support/mlflow-proxy.js';
import * as mlflow from './support/mlflow-rest.js';
import { captured, runCli } from './support/run-cli.js';

const RECORDED = `it-replay-recorded-${randomUUID()}`;
const RESULTS = `it-replay-results-${randomUUID()}`;
const MEMORY = '/spec/template/spec/containers/0/resources/limits/memory';

let k: Kube;
let ns: string;
let llm: OpenAiStandIn;
/** The healed fix's run and the rejected diagnosis's run. */
let fixed = '';
let rejected = '';
let approvedMemory = '';

useNamespace('rpl', (client, name) => {
  k = client;
  ns = name;
});

/** No KUBECONFIG at all: a replay that reached for a cluster would fail. */
const replayEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  MLFLOW_TRACKING_URI: mlflow.mlflowUri(),
  LOG_LEVEL: 'silent',
  ...extra,
});

interface ReplayJson {
  engine: string;
  model: string;
  trackingUrl: string | null;
  summary: Record<string, unknown>;
  results: Array<Record<string, unknown>>;
}

async function replay(
  opts: Partial<ReplayOptions>,
  env = replayEnv(),
  deps: ReplayCommandDeps = {},
): Promise<{ code: number; stderr: string; json: ReplayJson | null }> {
  const { code, stdout, stderr } = await captured(env, (io) =>
    runReplayCommand({ replay: RECORDED, experiment: RESULTS, json: true, parallel: 1, ...opts }, io, deps),
  );
  return { code, stderr, json: stdout ? (JSON.parse(stdout) as ReplayJson) : null };
}

/** The evaluation run behind a replay's link: its tags and the LoggedModel it takes as input. */
async function evalRun(url: string) {
  const runId = url.split('/runs/')[1]!;
  const { run } = (await fetch(`${mlflow.mlflowUri()}/api/2.0/mlflow/runs/get?run_id=${runId}`).then((x) =>
    x.json(),
  )) as {
    run: mlflow.RunJson & {
      inputs?: {
        dataset_inputs?: {
          dataset: { name: string; digest: string; source_type: string; source: string; profile: string };
        }[];
        model_inputs?: { model_id: string }[];
      };
    };
  };
  const modelId = run.inputs?.model_inputs?.[0]?.model_id ?? '';
  return { runId, run, tags: mlflow.kv(run.data.tags), modelId };
}

async function loggedModel(id: string): Promise<{ status: string; tags: Record<string, string> }> {
  const { model } = (await fetch(`${mlflow.mlflowUri()}/api/2.0/mlflow/logged-models/${id}`).then((x) =>
    x.json(),
  )) as { model: { info: { status: string; tags?: { key: string; value: string }[] } } };
  return { status: model.info.status, tags: mlflow.kv(model.info.tags) };
}

interface DatasetRecordJson {
  inputs: { source_run_id: string; iteration: number };
  expectations: Record<string, unknown>;
  source: unknown;
}

async function datasetRecords(id: string): Promise<DatasetRecordJson[]> {
  const a = (await fetch(`${mlflow.mlflowUri()}/api/3.0/mlflow/datasets/${id}/records`).then((x) =>
    x.json(),
  )) as {
    records: string;
  };
  return JSON.parse(a.records) as DatasetRecordJson[];
}

async function datasetExperiments(id: string): Promise<string[]> {
  const a = (await fetch(`${mlflow.mlflowUri()}/api/3.0/mlflow/datasets/${id}/experiment-ids`).then((x) =>
    x.json(),
  )) as { experiment_ids?: string[] };
  return a.experiment_ids ?? [];
}

const generation = async (name: string): Promise<number> =>
  (await k.apps.readNamespacedDeployment({ name, namespace: ns })).metadata!.generation!;

beforeAll(async () => {
  llm = await startOpenAiStandIn();
  await Promise.all([createOomLoop(k, ns), createOomLoop(k, ns, 'shop')]);
  const env = {
    AUTOFIX_NAMESPACES: ns,
    MLFLOW_TRACKING_URI: mlflow.mlflowUri(),
    MLFLOW_EXPERIMENT_NAME: RECORDED,
  };
  // A real fix, approved (--yes) and healed: its run carries approved/applied/healthy labels.
  const fix = await runCli('fix', 'deployment/oom', { namespace: ns, yes: true }, env);
  expect([fix.code, fix.json.outcome]).toEqual([0, 'fixed']);
  fixed = fix.json.tracking!.runId;
  // A real diagnosis whose proposal a person rejected (the label the decision records).
  const diag = await runCli('diagnose', 'deployment/shop', { namespace: ns }, env);
  expect([diag.code, diag.json.outcome]).toEqual([0, 'proposed']);
  rejected = diag.json.tracking!.runId;
  const tracker = createTracker(loadConfig(env), createLogger('silent'));
  await tracker.recordLabels(rejected, verdictLabels(1, 'rejected'));
  const tags = mlflow.kv((await mlflow.getRun(fixed)).data.tags);
  expect(tags).toMatchObject({ 'autofix.label.1.verdict': 'approved', 'autofix.label.1.healthy': 'true' });
  approvedMemory = (
    JSON.parse(tags['autofix.label.1.approved_change']!) as { path: string; value: string }[]
  ).find((op) => op.path === MEMORY)!.value;
});

afterAll(async () => {
  await llm?.close();
});

describe('eval --replay on the sandbox MLflow', () => {
  it('the rule engine: the approved category and the same fix, the rejected change proposed again; no cluster', async () => {
    const before = [await generation('oom'), await generation('shop')];
    const first = await replay({ engine: 'rules' });
    // The rejected change proposed again fails the replay.
    expect(first.code).toBe(1);
    const r = first.json!;
    expect([r.engine, r.model]).toEqual(['rules', 'rules']);
    expect(r.summary).toMatchObject({
      cases: 2,
      sourceRuns: 2,
      errors: 0,
      labelled: 1,
      categoryAccuracy: 1,
      agreementWithRecording: 1,
      changeEquivalence: 1,
      reproposalRate: 1,
      outcomes: { proposed: 2 },
      costUsd: 0,
      passed: false,
    });
    // Newest run first.
    expect(r.results.map((x) => [x.sourceRunId, x.verdict, x.changeEquivalent, x.reproposed])).toEqual([
      [rejected, 'rejected', null, true],
      [fixed, 'approved', true, null],
    ]);
    expect(first.stderr).toMatch(/replay \[2\/2\]: pass deployment\/oom@/);
    // The prompt registry, the LoggedModel and the dataset input were all accepted.
    expect(first.stderr).not.toContain('replay: MLflow:');
    // The same recordings score the same on a second run.
    const second = await replay({ engine: 'rules' });
    const scores = (j: ReplayJson) => ({ ...j.summary, meanSeconds: null });
    expect(scores(second.json!)).toEqual(scores(r));
    // Nothing on the cluster moved.
    expect([await generation('oom'), await generation('shop')]).toEqual(before);

    // The evaluation run: engine and source, the case set as a dataset input, one nested run per case
    // linking to its recording, and the results table the UI compares side by side.
    const { runId, run, tags, modelId } = await evalRun(r.trackingUrl!);
    expect(tags).toMatchObject({
      'autofix.eval.kind': 'replay',
      'autofix.engine': 'rules',
      'autofix.replay.source': RECORDED,
      'mlflow.loggedArtifacts': '[{"path":"eval_results_table.json","type":"table"}]',
      // The agent version, as the recorded investigations carry it: the rule engine renders no prompt.
      'autofix.agent_version': mlflow.kv((await mlflow.getRun(fixed)).data.tags)['autofix.agent_version'],
      'autofix.prompt_version': 'none',
    });
    expect(tags['autofix.agent_version']).toMatch(/\/rules\/rules\/none$/);
    expect(tags['mlflow.linkedPrompts']).toBeUndefined();
    // Runs of one agent version take the same LoggedModel as input.
    expect((await evalRun(second.json!.trackingUrl!)).modelId).toBe(modelId);
    expect(await loggedModel(modelId)).toMatchObject({
      status: 'LOGGED_MODEL_READY',
      tags: { 'autofix.agent_version': tags['autofix.agent_version'] },
    });
    expect(run.info.status).toBe('FINISHED');
    // The case set is a GenAI evaluation dataset of the results experiment: one record per case with what it
    // is scored against, linked as the run's dataset input the way mlflow.genai.evaluate links one.
    const input = run.inputs!.dataset_inputs![0]!.dataset;
    expect(input).toMatchObject({ name: `replay:${RECORDED}`, source_type: 'mlflow_evaluation_dataset' });
    expect(JSON.parse(input.profile)).toEqual({ num_records: 2 });
    const datasetId = (JSON.parse(input.source) as { dataset_id: string }).dataset_id;
    const records = await datasetRecords(datasetId);
    expect(
      records.map((x) => x.inputs).sort((a, b) => a.source_run_id.localeCompare(b.source_run_id)),
    ).toEqual(
      [
        { source_run_id: fixed, iteration: 1 },
        { source_run_id: rejected, iteration: 1 },
      ].sort((a, b) => a.source_run_id.localeCompare(b.source_run_id)),
    );
    const byRun = new Map(records.map((x) => [x.inputs.source_run_id, x]));
    expect(byRun.get(fixed)!.expectations).toMatchObject({
      expected_category: 'oom_killed',
      expected_source: 'approved',
      verdict: 'approved',
      healed: true,
      approved_change: expect.arrayContaining([
        expect.objectContaining({ path: MEMORY, value: approvedMemory }),
      ]),
    });
    expect(byRun.get(rejected)!.expectations).toMatchObject({
      verdict: 'rejected',
      healed: false,
      refused_change: expect.arrayContaining([expect.objectContaining({ path: MEMORY })]),
    });
    expect(byRun.get(rejected)!.expectations.expected_category).toBeUndefined();
    expect(byRun.get(fixed)!.source).toMatchObject({ source_type: 'CODE', source_data: { run_id: fixed } });
    expect(await datasetExperiments(datasetId)).toEqual([run.info.experiment_id]);
    // The same recordings are the same dataset on the next replay, its records merged, not doubled.
    const again = (await evalRun(second.json!.trackingUrl!)).run.inputs!.dataset_inputs![0]!.dataset;
    expect(JSON.parse(again.source)).toEqual({ dataset_id: datasetId });
    expect(await datasetRecords(datasetId)).toHaveLength(2);
    const nested = await mlflow.nestedRuns(run.info.experiment_id, runId);
    expect(
      [...nested.values()].map((n) => mlflow.kv(n.data.tags)['autofix.replay.source_run_id']).sort(),
    ).toEqual([fixed, rejected].sort());
    const table = JSON.parse(await mlflow.artifactText(run, 'eval_results_table.json')) as {
      columns: string[];
      data: unknown[][];
    };
    expect(table.data).toHaveLength(2);
    expect(table.data.map((row) => row[table.columns.indexOf('change_equivalent')])).toEqual([null, true]);
  });

  it('an OpenAI-compatible model: its answers scored, tokens, cost and calibration counted', async () => {
    // The rejected recording: a different fix is not a re-proposal; the healed one: the approved memory value.
    llm.push(
      {
        json: {
          category: 'oom_killed',
          rootCause: 'OOMKilled at 64Mi.',
          summary: 'Memory limit too low.',
          confidence: 0.6,
          change: null,
          humanAction: 'Profile the memory use before raising the limit.',
        },
        usage: { promptTokens: 1500, completionTokens: 60 },
      },
      {
        json: {
          category: 'oom_killed',
          rootCause: 'OOMKilled at 64Mi.',
          summary: 'Memory limit too low.',
          confidence: 0.9,
          change: {
            summary: [`raise memory limit of container app to ${approvedMemory}`],
            patch: [{ op: 'replace', path: MEMORY, valueJson: JSON.stringify(approvedMemory) }],
          },
          humanAction: null,
        },
        usage: { promptTokens: 1400, completionTokens: 90 },
      },
    );
    const r = await replay(
      { engine: 'llm', model: 'gpt-4o-mini' },
      replayEnv({ OPENAI_API_KEY: llm.apiKey, OPENAI_BASE_URL: llm.url, AUTOFIX_LLM_MAX_RETRIES: '0' }),
    );
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ engine: 'llm', model: 'gpt-4o-mini' });
    expect(r.json!.summary).toMatchObject({
      cases: 2,
      errors: 0,
      categoryAccuracy: 1,
      changeEquivalence: 1,
      reproposalRate: 0,
      llmCalls: 2,
      promptTokens: 2900,
      completionTokens: 150,
      costUsd: (2900 * 0.15 + 150 * 0.6) / 1e6,
      brierScore: 0.01,
      passed: true,
    });
    expect(llm.requests.map((q) => q.problems)).toEqual([[], []]);
    // The diagnosis prompts are in MLflow's prompt registry, linked to the run; another LoggedModel.
    const { tags, modelId } = await evalRun(r.json!.trackingUrl!);
    const prompts = diagnosisPrompts();
    expect(tags).toMatchObject({
      'autofix.agent_version': expect.stringMatching(/\/llm\/gpt-4o-mini\/[0-9a-f]{12}$/),
      'autofix.prompt_version': promptVersion(prompts),
    });
    const linked = JSON.parse(tags['mlflow.linkedPrompts']!) as { name: string; version: string }[];
    expect(linked.map((p) => p.name).sort()).toEqual([
      'kube-autofix-diagnose-system',
      'kube-autofix-diagnose-user',
    ]);
    for (const p of linked) {
      const v = (await fetch(
        `${mlflow.mlflowUri()}/api/2.0/mlflow/model-versions/get?name=${p.name}&version=${p.version}`,
      ).then((x) => x.json())) as { model_version: { tags: { key: string; value: string }[] } };
      expect(mlflow.kv(v.model_version.tags)['mlflow.prompt.text']).toBe(
        prompts.find((t) => t.name === p.name)!.text,
      );
    }
    expect(r.stderr).not.toContain('replay: MLflow:');
    expect(await loggedModel(modelId)).toMatchObject({
      status: 'LOGGED_MODEL_READY',
      tags: {
        'autofix.agent_version': tags['autofix.agent_version'],
        'mlflow.linkedPrompts': tags['mlflow.linkedPrompts'],
      },
    });
    // The same text is the same registry version: registering again adds none.
    const client = createMlflowClient(loadConfig(replayEnv()).mlflow!);
    expect(await registerPrompts(client, prompts)).toEqual(linked);
  });

  it('a single run by id, and a source with no bundles or no such experiment, each said clearly', async () => {
    const one = await replay({ replay: fixed, engine: 'rules' });
    expect([one.code, one.json!.summary.cases]).toEqual([0, 1]);
    const empty = `it-replay-empty-${randomUUID()}`;
    await fetch(`${mlflow.mlflowUri()}/api/2.0/mlflow/experiments/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: empty }),
    });
    const none = await replay({ replay: empty, engine: 'rules' });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`No replay bundles in experiment "${empty}"`);
    const missing = await replay({ replay: `${empty}-missing`, engine: 'rules' });
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('has no experiment named')]);
    const unset = await replay({ engine: 'rules' }, { LOG_LEVEL: 'silent' });
    expect([unset.code, unset.stderr]).toEqual([
      2,
      expect.stringContaining('MLFLOW_TRACKING_URI is not set'),
    ]);
  });

  it('runs read page by page from the real MLflow (page_token): --max and --since across pages', async () => {
    // One run per page: both recordings come from two pages of runs/search, newest first.
    const paged = await replay({ engine: 'rules', max: 2 }, replayEnv(), { pageSize: 1 });
    expect(paged.json!.results.map((x) => x.sourceRunId)).toEqual([rejected, fixed]);
    const one = await replay({ engine: 'rules', max: 1 }, replayEnv(), { pageSize: 1 });
    expect(one.json!.results.map((x) => x.sourceRunId)).toEqual([rejected]);
    const recent = await replay({ engine: 'rules', since: '1h' }, replayEnv(), { pageSize: 1 });
    expect(recent.json!.summary.cases).toBe(2);
    // --since counts back from a clock two hours ahead: no recording is that recent, on any page.
    const later = await replay({ engine: 'rules', since: '1h' }, replayEnv(), {
      pageSize: 1,
      now: () => Date.now() + 2 * 3600_000,
    });
    expect([later.code, later.stderr]).toEqual([
      2,
      expect.stringContaining(`No replay bundles in experiment "${RECORDED}" since`),
    ]);
  });

  it('an MLflow without the evaluation-dataset API: the case set is a plain dataset input, and the replay says why', async () => {
    const older = await startMlflowProxy(mlflow.mlflowUri(), {
      answer: ({ url }) =>
        url.startsWith('/api/3.0/mlflow/datasets')
          ? { status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND', message: `No API route for ${url}` } }
          : null,
    });
    try {
      const r = await replay({ engine: 'rules' }, replayEnv({ MLFLOW_TRACKING_URI: older.url }));
      expect(r.json!.summary).toMatchObject({ cases: 2, errors: 0 });
      expect(r.stderr).toMatch(/replay: MLflow: case set: evaluation dataset refused \(.*ENDPOINT_NOT_FOUND/);
      const { run } = await evalRun(r.json!.trackingUrl!);
      const input = run.inputs!.dataset_inputs![0]!.dataset;
      expect(input).toMatchObject({ name: `replay:${RECORDED}`, source_type: 'http' });
      expect(JSON.parse(input.profile)).toMatchObject({ num_rows: 2, source_runs: 2 });
    } finally {
      await older.close();
    }
  });
});
