// Where `eval --replay` finds its cases: the replay bundles and outcome labels of recorded investigation runs.
import { AutofixError, ErrorCode, isAutofixError } from '../domain/index.js';
import { SEARCH_PAGE_SIZE, type MlflowClient } from './mlflow-client.js';
import { isMlflowError } from './mlflow-error.js';
import type { MlflowRun } from './mlflow-schemas.js';
import { isLabelled, readLabels, type CaseLabels } from './outcome-labels.js';
import { BUNDLE_DIR, BUNDLE_TAG, readBundle, type ReplayBundle } from './replay-bundle.js';

/** One recorded iteration: what its engine saw and answered, and what happened to it. */
export interface RecordedCase {
  runId: string;
  runName: string;
  experimentId: string;
  runUrl: string | null;
  iteration: number;
  bundle: ReplayBundle;
  labels: CaseLabels;
}

export interface ReplaySelection {
  /** A run id (an investigation run, or a sandbox eval suite run) or an experiment name. */
  source: string;
  /** Only runs started at or after this time (ms since the epoch). */
  sinceMs: number | null;
  onlyLabelled: boolean;
  /** At most this many cases, newest runs first. */
  max: number;
  /** Runs per runs/search request (default: --max, or a full page with onlyLabelled); tests page with less. */
  pageSize?: number;
}

export interface RecordedCases {
  cases: RecordedCase[];
  /** Bundles that could not be read (another schema version, damaged), each with the reader's message. */
  refused: { runId: string; path: string; error: string }[];
  /** Where they came from, for the evaluation run's tags. */
  experimentIds: string[];
}

const RUN_ID = /^[0-9a-f]{32}$/;
const SUITE_TAG = 'autofix.eval.suite';
const BUNDLE_FILE = new RegExp(`^${BUNDLE_DIR}/iteration-(\\d+)\\.json$`);
/** The most case runs of one sandbox eval suite read (a suite has one per case; the sandbox eval runs 55). */
const MAX_SUITE_CASES = 10_000;

const tagsOf = (run: MlflowRun): Record<string, string> =>
  Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));

function notFound(why: string, hint: string): never {
  throw new AutofixError(ErrorCode.BadInput, why, { hint });
}

async function runOrNull(client: MlflowClient, runId: string): Promise<MlflowRun | null> {
  try {
    return await client.getRun(runId);
  } catch (e) {
    if (isMlflowError(e) && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return null;
    throw e;
  }
}

/** A suite run's nested case runs name their investigations: those are the recordings. */
async function suiteInvestigations(
  client: MlflowClient,
  suite: MlflowRun,
  max: number,
): Promise<MlflowRun[]> {
  const nested = await client.searchRuns({
    experimentIds: [suite.info.experiment_id],
    filter: `tags.\`mlflow.parentRunId\` = '${suite.info.run_id}'`,
    orderBy: ['attributes.start_time ASC'],
    maxResults: MAX_SUITE_CASES,
  });
  const ids = nested.map((r) => tagsOf(r)['autofix.investigation_run_id']).filter((id): id is string => !!id);
  const runs = await Promise.all(ids.slice(0, max).map((id) => runOrNull(client, id)));
  return runs.filter((r): r is MlflowRun => r !== null && tagsOf(r)[BUNDLE_TAG] !== undefined);
}

/**
 * The selected runs, newest first, a page at a time: the reader stops paging once it has its cases, so
 * `--max` above one page and `--since` further back than one page both read on.
 */
async function* runsOf(client: MlflowClient, sel: ReplaySelection): AsyncGenerator<MlflowRun[]> {
  if (RUN_ID.test(sel.source)) {
    const run = await runOrNull(client, sel.source);
    if (!run)
      notFound(
        `MLflow has no run ${sel.source}.`,
        'Pass an investigation run id (the run link of a diagnosis), a sandbox eval suite run id, or an experiment name.',
      );
    const tags = tagsOf(run);
    if (tags[BUNDLE_TAG] !== undefined) yield [run];
    else if (tags[SUITE_TAG] !== undefined) yield await suiteInvestigations(client, run, sel.max);
    return;
  }
  const exp = await client.findExperiment(sel.source);
  if (!exp)
    notFound(
      `MLflow has no experiment named "${sel.source}".`,
      'Pass the experiment investigations are recorded in (MLFLOW_EXPERIMENT_NAME, default kube-autofix) or a run id.',
    );
  const filters = [
    `tags.\`${BUNDLE_TAG}\` != ''`,
    ...(sel.sinceMs === null ? [] : [`attributes.start_time >= ${sel.sinceMs}`]),
  ];
  yield* client.searchRunPages({
    experimentIds: [exp.experiment_id],
    filter: filters.join(' AND '),
    orderBy: ['attributes.start_time DESC'],
    // No bound here: the reader stops once it has --max cases, back to --since or the experiment's first run.
    maxResults: Number.MAX_SAFE_INTEGER,
    // Most runs hold one bundle: --max runs usually fill --max cases in one request; labelled runs are fewer.
    pageSize: sel.pageSize ?? (sel.onlyLabelled ? SEARCH_PAGE_SIZE : sel.max),
  });
}

/** The iterations' bundle paths of one run, in iteration order. */
async function bundlePaths(client: MlflowClient, runId: string): Promise<{ path: string; n: number }[]> {
  const files = await client.listArtifacts(runId, BUNDLE_DIR);
  return files
    .map((path) => ({ path, m: BUNDLE_FILE.exec(path) }))
    .filter((f): f is { path: string; m: RegExpExecArray } => f.m !== null)
    .map((f) => ({ path: f.path, n: Number(f.m[1]) }))
    .sort((a, b) => a.n - b.n);
}

/** Reads the bundles of one run into `cases` (up to `sel.max` in all), the unreadable ones into `refused`. */
async function readRun(
  client: MlflowClient,
  sel: ReplaySelection,
  run: MlflowRun,
  cases: RecordedCase[],
  refused: RecordedCases['refused'],
): Promise<void> {
  const tags = tagsOf(run);
  for (const { path, n } of await bundlePaths(client, run.info.run_id)) {
    const labels = readLabels(tags, n);
    if (sel.onlyLabelled && !isLabelled(labels)) continue;
    let bundle: ReplayBundle;
    try {
      bundle = readBundle(
        await client.downloadArtifact(run.info.artifact_uri, path),
        `${run.info.run_id}/${path}`,
      );
    } catch (e) {
      if (!isAutofixError(e)) throw e;
      refused.push({ runId: run.info.run_id, path, error: e.describe() });
      continue;
    }
    cases.push({
      runId: run.info.run_id,
      runName: run.info.run_name ?? run.info.run_id,
      experimentId: run.info.experiment_id,
      runUrl: client.runUrl(run.info.experiment_id, run.info.run_id),
      iteration: n,
      bundle,
      labels,
    });
    if (cases.length >= sel.max) return;
  }
}

/**
 * Reads every bundle of the selected runs (newest run first, iterations in order) with its labels.
 * Throws BAD_INPUT when the source does not exist or holds no bundle at all, saying where it looked.
 */
export async function loadRecordedCases(client: MlflowClient, sel: ReplaySelection): Promise<RecordedCases> {
  const cases: RecordedCase[] = [];
  const refused: RecordedCases['refused'] = [];
  const experimentIds = new Set<string>();
  const full = (): boolean => cases.length >= sel.max;
  for await (const page of runsOf(client, sel)) {
    for (const run of page) {
      if (full()) break;
      experimentIds.add(run.info.experiment_id);
      await readRun(client, sel, run, cases, refused);
    }
    if (full()) break;
  }
  if (cases.length === 0 && refused.length === 0)
    notFound(
      `No replay bundles in ${RUN_ID.test(sel.source) ? `run ${sel.source}` : `experiment "${sel.source}"`}${sel.sinceMs === null ? '' : ` since ${new Date(sel.sinceMs).toISOString()}`}${sel.onlyLabelled ? ' with labels' : ''}.`,
      'Bundles are recorded by investigations run with MLFLOW_TRACKING_URI set (runs tagged autofix.replay.schema); widen --since or drop --only-labelled.',
    );
  return { cases, refused, experimentIds: [...experimentIds] };
}
