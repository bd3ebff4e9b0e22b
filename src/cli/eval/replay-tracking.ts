// Logs a replay as an MLflow evaluation run: params (engine, model, source), the case set as an evaluation dataset,
// one nested run per case linking to the recorded investigation run, summary metrics, and the results table
// (`eval_results_table.json`, registered as a table so the UI's artifact comparison puts runs side by side).
import { createHash } from 'node:crypto';
import type { MlflowConfig } from '../../config/config.js';
import {
  AGENT_VERSION_TAG,
  agentModel,
  agentVersionTags,
  registerPrompts,
  type AgentVersion,
  type RegisteredPrompt,
} from '../../tracking/agent-version.js';
import {
  createMlflowClient,
  type DatasetInput,
  type DatasetRecord,
  type MlflowClient,
} from '../../tracking/mlflow-client.js';
import { EVAL_CASE_TAG } from '../../tracking/outcome-labels.js';
import type { RecordedCase } from '../../tracking/replay-source.js';
import { bool, DEFAULT_EVAL_EXPERIMENT, finishParentRun, metricsOf } from './eval-tracking.js';
import { caseExpectations, type ReplayResult } from './replay-case.js';
import type { ReplaySummary } from './score-replay.js';

export const RESULTS_TABLE = 'eval_results_table.json';
export const REPLAY_KIND = 'replay';

export interface ReplayRunInfo {
  replayId: string;
  experiment?: string;
  /** Version, engine, model and prompts: the LoggedModel the evaluation run takes as input. */
  agent: AgentVersion;
  source: string;
  params: Record<string, string | number | boolean>;
}

export interface ReplayTracking {
  readonly runUrl: string | null;
  readonly runId: string;
  caseDone(r: ReplayResult): Promise<void>;
  finish(results: ReplayResult[], summary: ReplaySummary, table: string): Promise<void>;
  /** Problems with MLflow itself: reported, never fatal to the replay. */
  readonly warnings: string[];
}

/** The columns of the results table: one row per case, engine and model on every row for side-by-side views. */
const COLUMNS = [
  'case',
  'source_run_id',
  'iteration',
  'eval_case',
  'engine',
  'model',
  'expected_category',
  'expected_source',
  'recorded_category',
  'category',
  'category_right',
  'recorded_outcome',
  'outcome',
  'change_equivalent',
  'reproposed',
  'flags',
  'confidence',
  'prompt_tokens',
  'completion_tokens',
  'cost_usd',
  'seconds',
  'error',
] as const;

function row(r: ReplayResult, engine: string, model: string): Array<string | number | boolean | null> {
  return [
    r.name,
    r.sourceRunId,
    r.iteration,
    r.evalCase,
    engine,
    model,
    r.expectedCategory,
    r.expectedSource,
    r.recordedCategory,
    r.category,
    r.categoryRight,
    r.recordedOutcome,
    r.outcome,
    r.changeEquivalent,
    r.reproposed,
    r.flags.join('; '),
    r.confidence,
    r.promptTokens,
    r.completionTokens,
    r.costUsd,
    r.seconds,
    r.error,
  ];
}

export function resultsTable(
  results: ReplayResult[],
  engine: string,
  model: string,
): { columns: readonly string[]; data: unknown[][] } {
  return { columns: COLUMNS, data: results.map((r) => row(r, engine, model)) };
}

function caseMetrics(r: ReplayResult): Record<string, number | null> {
  return {
    category_right: bool(r.categoryRight),
    same_as_recorded: bool(r.sameAsRecorded),
    change_equivalent: bool(r.changeEquivalent),
    reproposed: bool(r.reproposed),
    flagged: r.status === 'ok' ? bool(r.flags.length > 0) : null,
    confidence: r.confidence,
    llm_calls: r.llmCalls,
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    cost_usd: r.costUsd,
    seconds: r.seconds,
  };
}

function summaryMetrics(s: ReplaySummary): Record<string, number | null> {
  const { passed, outcomes, ...numbers } = s;
  return {
    ...numbers,
    ...Object.fromEntries(Object.entries(outcomes).map(([o, n]) => [`outcome_${o}`, n])),
    passed: bool(passed),
  };
}

const CASE_SET_TAG = 'autofix.replay.case_set';
const SOURCE_TAG = 'autofix.replay.source';

/** A case's record in the evaluation dataset: which recording (inputs) and what it is scored against. */
export function caseRecord(c: RecordedCase): DatasetRecord {
  const e = caseExpectations(c);
  const expectations = Object.fromEntries(
    Object.entries({
      expected_category: e.expectedCategory,
      expected_source: e.expectedSource,
      verdict: c.labels.verdict,
      healed: e.healed,
      rolled_back: c.labels.rolledBack,
      feedback: c.labels.feedback,
      feedback_reason: c.labels.feedbackReason,
      approved_change: e.approvedChange,
      refused_change: e.refusedChange,
    }).filter(([, v]) => v !== null),
  );
  return {
    inputs: { source_run_id: c.runId, iteration: c.iteration },
    expectations,
    source: {
      source_type: 'CODE',
      source_data: { run_id: c.runId, ...(c.runUrl ? { run_url: c.runUrl } : {}) },
    },
    tags: {
      case: `${c.runName} #${c.iteration}`,
      recorded_engine: c.bundle.engine.name,
      recorded_model: c.bundle.engine.model,
      ...(c.labels.evalCase ? { eval_case: c.labels.evalCase } : {}),
    },
  };
}

/**
 * The case set as a GenAI evaluation dataset of the evaluation experiment (one per distinct set of recordings,
 * found again by its digest), as the run's dataset input the way mlflow.genai.evaluate links one. A server
 * without that API (before MLflow 3.4, Databricks' own) gets the plain dataset input, and a warning.
 */
async function logCaseSet(
  client: MlflowClient,
  runId: string,
  experimentId: string,
  info: ReplayRunInfo,
  cases: RecordedCase[],
  modelIds: string[],
  warn: (message: string) => void,
): Promise<void> {
  const keys = cases.map((c) => `${c.runId}#${c.iteration}`).sort();
  const digest = createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 16);
  const name = `replay:${info.source}`;
  let input: DatasetInput;
  try {
    const dataset =
      (await client.findEvaluationDataset(experimentId, name, CASE_SET_TAG, digest)) ??
      (await client.createEvaluationDataset(name, [experimentId], {
        [CASE_SET_TAG]: digest,
        [SOURCE_TAG]: info.source,
      }));
    const filled = await client.upsertDatasetRecords(dataset.dataset_id, cases.map(caseRecord));
    input = {
      name: filled.name,
      digest: filled.digest,
      sourceType: 'mlflow_evaluation_dataset',
      source: JSON.stringify({ dataset_id: filled.dataset_id }),
      schema: filled.schema ?? '',
      profile: filled.profile ?? '',
      context: 'eval',
    };
  } catch (e) {
    warn(
      `evaluation dataset refused (${e instanceof Error ? e.message : String(e)}); the case set is a plain dataset input`,
    );
    input = {
      name,
      digest,
      sourceType: 'http',
      source: JSON.stringify({ url: client.trackingUri, source: info.source }),
      schema: JSON.stringify({
        cases: 'replay/iteration-<n>.json of each run, with its autofix.label.* tags',
      }),
      profile: JSON.stringify({
        num_rows: cases.length,
        source_runs: new Set(cases.map((c) => c.runId)).size,
        labelled: cases.filter((c) => c.labels.expectedCategory !== null || c.labels.verdict !== null).length,
      }),
      context: 'eval',
    };
  }
  await client.logInputs(runId, [input], modelIds);
}

export async function startReplayTracking(
  config: MlflowConfig,
  info: ReplayRunInfo,
  cases: RecordedCase[],
): Promise<ReplayTracking> {
  const client = createMlflowClient(config);
  const warnings: string[] = [];
  const guard = async (what: string, fn: () => Promise<void>): Promise<void> => {
    await fn().catch((e: unknown) => {
      warnings.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    });
  };
  const exp = await client.getOrCreateExperiment(info.experiment ?? DEFAULT_EVAL_EXPERIMENT);
  // The prompt registry and the LoggedModel are how MLflow groups runs by version; neither is fatal.
  const linked: RegisteredPrompt[] = [];
  await guard('prompt registry', async () => {
    linked.push(...(await registerPrompts(client, info.agent.prompts)));
  });
  const models: string[] = [];
  await guard('agent version', async () => {
    models.push(await agentModel(client, exp.experiment_id, info.agent, linked));
  });
  const versionTags = agentVersionTags(info.agent, linked);
  const parent = await client.createRun({
    experimentId: exp.experiment_id,
    runName: `replay ${info.agent.engine} ${info.agent.model} ${info.replayId}`,
    tags: {
      'autofix.eval.suite': info.replayId,
      'autofix.eval.kind': REPLAY_KIND,
      'autofix.engine': info.agent.engine,
      'autofix.model': info.agent.model,
      [SOURCE_TAG]: info.source,
      ...versionTags,
      // How the MLflow UI finds logged tables (what mlflow.log_table records).
      'mlflow.loggedArtifacts': JSON.stringify([{ path: RESULTS_TABLE, type: 'table' }]),
    },
  });
  await client.logBatch(parent.run_id, {
    params: Object.entries({
      engine: info.agent.engine,
      model: info.agent.model,
      agent_version: info.agent.kubeAutofix,
      source: info.source,
      ...info.params,
    }).map(([key, value]) => ({ key, value: String(value) })),
  });
  await guard('case set', () =>
    logCaseSet(client, parent.run_id, exp.experiment_id, info, cases, models, (w) =>
      warnings.push(`case set: ${w}`),
    ),
  );
  return {
    runId: parent.run_id,
    runUrl: client.runUrl(exp.experiment_id, parent.run_id),
    warnings,
    caseDone: (r) =>
      guard(`case ${r.name}`, async () => {
        const tags: Record<string, string> = {
          'autofix.eval.kind': REPLAY_KIND,
          'autofix.eval.status': r.status,
          'autofix.replay.source_run_id': r.sourceRunId,
          'autofix.replay.iteration': String(r.iteration),
          'autofix.investigation_run_id': r.sourceRunId,
          'autofix.engine': info.agent.engine,
          'autofix.model': info.agent.model,
          [AGENT_VERSION_TAG]: versionTags[AGENT_VERSION_TAG]!,
        };
        if (r.evalCase) tags[EVAL_CASE_TAG] = r.evalCase;
        if (r.category) tags['autofix.category'] = r.category;
        if (r.expectedCategory) tags['autofix.eval.expected_category'] = r.expectedCategory;
        if (r.error) tags['autofix.eval.error'] = r.error;
        tags['mlflow.note.content'] =
          `Replay of iteration ${r.iteration} of ${r.sourceRunUrl ? `[${r.sourceRunId}](${r.sourceRunUrl})` : r.sourceRunId}`;
        const run = await client.createRun({
          experimentId: exp.experiment_id,
          runName: r.name,
          parentRunId: parent.run_id,
          tags,
        });
        await client.logBatch(run.run_id, {
          params: [
            { key: 'source_run_id', value: r.sourceRunId },
            { key: 'iteration', value: String(r.iteration) },
          ],
          metrics: metricsOf(caseMetrics(r), Date.now()),
        });
        await client.updateRun(run.run_id, r.status === 'ok' ? 'FINISHED' : 'FAILED', Date.now());
      }),
    finish: (results, summary, table) =>
      guard('replay run', async () => {
        await client.uploadArtifact(
          parent.artifact_uri,
          RESULTS_TABLE,
          JSON.stringify(resultsTable(results, info.agent.engine, info.agent.model)),
          'application/json',
        );
        await finishParentRun(client, parent, 'replay', summaryMetrics(summary), { summary, results, table });
      }),
  };
}
