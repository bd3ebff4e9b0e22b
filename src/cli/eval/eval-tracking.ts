// Logs a suite run to MLflow: one parent run (params, totals, the results table), one nested run per case
// linking to its investigation run, so engines and models compare side by side.
import type { MlflowConfig } from '../../config/config.js';
import { createMlflowClient, type MlflowClient } from '../../tracking/mlflow-client.js';
import { EVAL_CASE_TAG } from '../../tracking/outcome-labels.js';
import type { CaseResult, EvalSummary } from './score-eval.js';

export const DEFAULT_EVAL_EXPERIMENT = 'kube-autofix-eval';

export interface SuiteInfo {
  suiteId: string;
  experiment: string;
  engine: string;
  model: string;
  agentVersion: string;
  params: Record<string, string | number | boolean>;
}

export interface SuiteTracking {
  readonly runUrl: string | null;
  caseDone(r: CaseResult): Promise<void>;
  finish(results: CaseResult[], summary: EvalSummary, table: string): Promise<void>;
  /** Problems with MLflow itself: reported, never fatal to the eval. */
  readonly warnings: string[];
}

export const bool = (b: boolean | null): number | null => (b === null ? null : b ? 1 : 0);

/**
 * The end of a suite's parent run, shared by the sandbox eval and the replay: its totals as metrics, the text
 * table and the JSON results (`<name>-results.txt|json`), and FAILED when any case errored.
 */
export async function finishParentRun(
  client: MlflowClient,
  parent: { run_id: string; artifact_uri: string },
  name: string,
  totals: Record<string, number | null>,
  out: { summary: { errors: number }; results: unknown; table: string },
): Promise<void> {
  await client.logBatch(parent.run_id, { metrics: metricsOf(totals, Date.now()) });
  await client.uploadArtifact(parent.artifact_uri, `${name}-results.txt`, out.table, 'text/plain');
  await client.uploadArtifact(
    parent.artifact_uri,
    `${name}-results.json`,
    JSON.stringify({ summary: out.summary, results: out.results }, null, 2),
    'application/json',
  );
  await client.updateRun(parent.run_id, out.summary.errors > 0 ? 'FAILED' : 'FINISHED', Date.now());
}

/** Numeric fields only (null = not measured, left out rather than logged as 0). */
export function metricsOf(values: Record<string, number | null>, timestamp: number) {
  return Object.entries(values).flatMap(([key, value]) =>
    value === null ? [] : [{ key, value, timestamp, step: 0 }],
  );
}

function caseMetrics(r: CaseResult): Record<string, number | null> {
  return {
    category_right: r.status === 'broken_case' ? null : bool(r.category === r.expectedCategory),
    outcome_right: r.status === 'broken_case' ? null : bool(r.outcome === r.expectedOutcome),
    healed: bool(r.healed),
    iterations: r.iterations,
    seconds_to_proposal: r.secondsToProposal,
    seconds_to_healthy: r.secondsToHealthy,
    agent_seconds: r.agentSeconds,
    api_calls: r.apiCalls,
    llm_calls: r.llmCalls,
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    cost_usd: r.costUsd,
    confidence: r.confidence,
  };
}

function summaryMetrics(s: EvalSummary): Record<string, number | null> {
  const { passed, ...numbers } = s;
  return { ...numbers, passed: bool(passed) };
}

export async function startSuiteTracking(config: MlflowConfig, info: SuiteInfo): Promise<SuiteTracking> {
  const client = createMlflowClient(config);
  const warnings: string[] = [];
  const guard = async (what: string, fn: () => Promise<void>): Promise<void> => {
    await fn().catch((e: unknown) => {
      warnings.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    });
  };
  const exp = await client.getOrCreateExperiment(info.experiment);
  const parent = await client.createRun({
    experimentId: exp.experiment_id,
    runName: `eval ${info.engine} ${info.suiteId}`,
    tags: { 'autofix.eval.suite': info.suiteId, 'autofix.engine': info.engine, 'autofix.model': info.model },
  });
  await client.logBatch(parent.run_id, {
    params: Object.entries({
      engine: info.engine,
      model: info.model,
      agent_version: info.agentVersion,
      ...info.params,
    }).map(([key, value]) => ({ key, value: String(value) })),
  });
  return {
    runUrl: client.runUrl(exp.experiment_id, parent.run_id),
    warnings,
    caseDone: (r) =>
      guard(`case ${r.name}`, async () => {
        const tags: Record<string, string> = {
          [EVAL_CASE_TAG]: r.name,
          'autofix.eval.status': r.status,
          'autofix.eval.expected_category': r.expectedCategory,
        };
        if (r.category) tags['autofix.category'] = r.category;
        if (r.investigationRunId) tags['autofix.investigation_run_id'] = r.investigationRunId;
        if (r.investigationRunUrl)
          tags['mlflow.note.content'] =
            `Investigation run: [${r.investigationRunId}](${r.investigationRunUrl})`;
        if (r.error) tags['autofix.eval.error'] = r.error;
        const run = await client.createRun({
          experimentId: exp.experiment_id,
          runName: `${r.name} #${r.attempt}`,
          parentRunId: parent.run_id,
          tags,
        });
        await client.logBatch(run.run_id, {
          params: [
            { key: 'case', value: r.name },
            { key: 'attempt', value: String(r.attempt) },
            { key: 'namespace', value: r.namespace },
          ],
          metrics: metricsOf(caseMetrics(r), Date.now()),
        });
        await client.updateRun(run.run_id, r.status === 'ok' ? 'FINISHED' : 'FAILED', Date.now());
      }),
    finish: (results, summary, table) =>
      guard('suite run', () =>
        finishParentRun(client, parent, 'eval', summaryMetrics(summary), { summary, results, table }),
      ),
  };
}
