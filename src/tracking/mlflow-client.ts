// A small typed MLflow REST client: experiments, runs, log-batch, proxied artifacts, OTLP traces and their link to runs.
import type { MlflowConfig } from '../config/config.js';
import { MlflowError, isMlflowError } from './mlflow-error.js';
import { createMlflowHttp, type MlflowHttp, type MlflowHttpOptions } from './mlflow-http.js';
import {
  AssessmentAnswer,
  CreateExperimentAnswer,
  EmptyAnswer,
  EvaluationDatasetAnswer,
  EvaluationDatasetsAnswer,
  GetExperimentAnswer,
  ListArtifactsAnswer,
  LoggedModelAnswer,
  LoggedModelsAnswer,
  ModelVersionAnswer,
  RegisteredModelAnswer,
  RunAnswer,
  SearchRunsAnswer,
  TraceInfoAnswer,
  UpsertRecordsAnswer,
  type EvaluationDataset,
  type MlflowAssessment,
  type MlflowExperiment,
  type MlflowRun,
  type MlflowRunInfo,
  type MlflowRunStatus,
  type MlflowTraceInfo,
} from './mlflow-schemas.js';
import { metricValueJson, splitLogBatch, type LogBatch } from './split-log-batch.js';
import { runUrl } from './run-url.js';

export interface CreateRunInput {
  experimentId: string;
  runName: string;
  tags?: Record<string, string>;
  /** Makes the run nested under this one (tag `mlflow.parentRunId`). */
  parentRunId?: string | null;
  startTime?: number;
}

export interface MlflowClientOptions extends MlflowHttpOptions {
  /** Workspace URL for the bare `databricks` tracking URI, used only for run links. */
  databricksHost?: string | null;
}

export interface MlflowClient {
  readonly trackingUri: string;
  getOrCreateExperiment(name: string): Promise<MlflowExperiment>;
  createRun(input: CreateRunInput): Promise<MlflowRunInfo>;
  getRun(runId: string): Promise<MlflowRun>;
  updateRun(runId: string, status: MlflowRunStatus, endTime?: number): Promise<void>;
  /** Sanitises keys, truncates values and splits into as many requests as the server's limits need. */
  logBatch(runId: string, batch: Partial<LogBatch>): Promise<void>;
  /** PUT through the server's proxied artifact API, below the run's `mlflow-artifacts:` root. */
  uploadArtifact(
    artifactUri: string,
    path: string,
    content: string | Uint8Array,
    contentType: string,
  ): Promise<void>;
  /** The files (not folders) directly below `path` in the run's artifacts. */
  listArtifacts(runId: string, path: string): Promise<string[]>;
  /** An artifact's text, through the server's proxied artifact API. */
  downloadArtifact(artifactUri: string, path: string): Promise<string>;
  /** Records datasets (name, digest, source, schema, profile) and LoggedModels as the run's inputs (`runs/log-inputs`). */
  logInputs(runId: string, datasets: DatasetInput[], modelIds?: string[]): Promise<void>;
  /**
   * A text prompt in the prompt registry (a registered model tagged `mlflow.prompt.is_prompt`): the latest
   * version when its text is `text`, else a new version. Answers the version number.
   */
  registerPromptVersion(name: string, text: string): Promise<string>;
  /** A GenAI evaluation dataset of the experiment named `name` with tag `key` = `value`, or null. */
  findEvaluationDataset(
    experimentId: string,
    name: string,
    key: string,
    value: string,
  ): Promise<EvaluationDataset | null>;
  /** A new, empty GenAI evaluation dataset in these experiments. */
  createEvaluationDataset(
    name: string,
    experimentIds: string[],
    tags: Record<string, string>,
  ): Promise<EvaluationDataset>;
  /** Inserts records, or merges into those with the same inputs; answers the dataset as it is after. */
  upsertDatasetRecords(datasetId: string, records: DatasetRecord[]): Promise<EvaluationDataset>;
  /** The id of a LoggedModel of the experiment with tag `key` = `value`, or null. */
  findLoggedModel(experimentId: string, key: string, value: string): Promise<string | null>;
  /** Creates a LoggedModel and marks it ready; answers its id. */
  createLoggedModel(input: NewLoggedModel): Promise<string>;
  /**
   * An OTLP/HTTP JSON `ExportTraceServiceRequest` (as the OpenTelemetry SDK serializes it) into the
   * experiment's traces; with `runId` the server also links the traces whose root span is in the request.
   */
  exportTraces(experimentId: string, otlpJson: Uint8Array, runId?: string | null): Promise<void>;
  linkTracesToRun(runId: string, traceIds: string[]): Promise<void>;
  setTraceTag(traceId: string, key: string, value: string): Promise<void>;
  runUrl(experimentId: string, runId: string): string | null;
  /** The experiment, or null when it does not exist (never creates one). */
  findExperiment(name: string): Promise<MlflowExperiment | null>;
  /** Up to `maxResults` runs of runs/search, in the order asked for, read page by page. */
  searchRuns(input: SearchRunsInput): Promise<MlflowRun[]>;
  /** The same runs one page at a time (`page_token`/`next_page_token`), for a reader that may stop early. */
  searchRunPages(input: SearchRunsInput): AsyncIterable<MlflowRun[]>;
  /** MLflow 3 trace info (metadata, tags, assessments) of `tr-…` trace ids. */
  getTraceInfo(traceId: string): Promise<MlflowTraceInfo>;
  createAssessment(traceId: string, assessment: NewFeedback): Promise<MlflowAssessment>;
  /** Replaces the feedback value, rationale and metadata of an existing assessment. */
  updateFeedback(traceId: string, assessmentId: string, assessment: NewFeedback): Promise<MlflowAssessment>;
}

export interface SearchRunsInput {
  experimentIds: string[];
  filter: string;
  orderBy: string[];
  /** At most this many runs in all, over as many pages as that takes. */
  maxResults: number;
  /** Runs per request (default and most: SEARCH_PAGE_SIZE). */
  pageSize?: number;
}

/** Deadline of one OTLP trace export: longer than other calls, see exportTraces. */
export const TRACE_EXPORT_TIMEOUT_MS = 25_000;

/** A string value in a search filter, quoted the way MLflow's filter grammar reads it. */
export const filterValue = (v: string): string => `'${v.replace(/'/g, "\\'")}'`;

/** Runs per runs/search request: MLflow's default page, which every MLflow server (Databricks too) serves. */
export const SEARCH_PAGE_SIZE = 1000;

/** One dataset input as `runs/log-inputs` takes it; `context` becomes the `mlflow.data.context` tag. */
export interface DatasetInput {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema: string;
  profile: string;
  context: 'training' | 'evaluation' | 'eval';
}

/** One record of a GenAI evaluation dataset: MLflow hashes `inputs` to tell records apart. */
export interface DatasetRecord {
  inputs: Record<string, string | number>;
  expectations: Record<string, unknown>;
  source: { source_type: 'CODE' | 'HUMAN' | 'TRACE' | 'DOCUMENT'; source_data: Record<string, string> };
  tags?: Record<string, string>;
}

/** Records per upsert request: one request stays well under a megabyte with approved patches in them. */
const RECORDS_PER_UPSERT = 500;

export interface NewLoggedModel {
  experimentId: string;
  name: string;
  modelType: string;
  tags: Record<string, string>;
  params: Record<string, string>;
}

const PROMPT_TAG = 'mlflow.prompt.is_prompt';
const PROMPT_TEXT_TAG = 'mlflow.prompt.text';
/** What MLflow's own clients send as a prompt version's source (the server refuses other sources). */
const PROMPT_SOURCE = 'dummy-source';
const pairs = (o: Record<string, string>): { key: string; value: string }[] =>
  Object.entries(o).map(([key, value]) => ({ key, value }));

/** A feedback assessment by a human (`source_id` names them). */
export interface NewFeedback {
  name: string;
  sourceId: string;
  value: boolean | number | string;
  rationale: string | null;
  metadata: Record<string, string>;
}

function feedbackJson(traceId: string, a: NewFeedback): object {
  return {
    assessment_name: a.name,
    trace_id: traceId,
    source: { source_type: 'HUMAN', source_id: a.sourceId },
    feedback: { value: a.value },
    ...(a.rationale ? { rationale: a.rationale } : {}),
    metadata: a.metadata,
  };
}

const API = '/api/2.0/mlflow';

/** `mlflow-artifacts:/1/abc/artifacts` or `mlflow-artifacts://host/1/abc/artifacts` → `1/abc/artifacts`. */
export function proxiedArtifactRoot(artifactUri: string): string {
  const m = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(artifactUri);
  if (!m) {
    throw new MlflowError(
      'unsupported',
      // Only the scheme, so every run of such a server yields the same (de-duplicated) warning.
      `artifact roots of scheme "${/^([a-z][\w+.-]*):/i.exec(artifactUri)?.[1] ?? 'file'}" are not served by the tracking server (start it with artifact serving, e.g. --artifacts-destination)`,
    );
  }
  return m[1]!.replace(/\/+$/, '');
}

/** Encoded `/api/2.0/mlflow-artifacts/artifacts/<root>/<path>`; refuses absolute and `..` paths. */
export function artifactApiPath(artifactUri: string, path: string): string {
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.includes('..')) {
    throw new MlflowError('unsupported', `artifact path "${path}" must be a relative path without ".."`);
  }
  const root = proxiedArtifactRoot(artifactUri)
    .split('/')
    .filter((s) => s !== '');
  return `/api/2.0/mlflow-artifacts/artifacts/${[...root, ...segments].map(encodeURIComponent).join('/')}`;
}

async function getExperimentByName(http: MlflowHttp, name: string): Promise<MlflowExperiment | null> {
  try {
    const a = await http.json(
      { method: 'GET', path: `${API}/experiments/get-by-name`, query: { experiment_name: name } },
      GetExperimentAnswer,
    );
    return a.experiment;
  } catch (e) {
    if (isMlflowError(e) && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return null;
    throw e;
  }
}

/** Race-safe: a concurrent create is answered RESOURCE_ALREADY_EXISTS, then re-read; a deleted one is restored. */
async function getOrCreateExperiment(http: MlflowHttp, name: string): Promise<MlflowExperiment> {
  let exp = await getExperimentByName(http, name);
  if (!exp) {
    try {
      const created = await http.json(
        { method: 'POST', path: `${API}/experiments/create`, json: { name } },
        CreateExperimentAnswer,
      );
      return { experiment_id: created.experiment_id, name, lifecycle_stage: 'active' };
    } catch (e) {
      if (!isMlflowError(e) || e.errorCode !== 'RESOURCE_ALREADY_EXISTS') throw e;
      exp = await getExperimentByName(http, name);
      if (!exp) throw e;
    }
  }
  if (exp.lifecycle_stage === 'deleted') {
    try {
      await http.json(
        { method: 'POST', path: `${API}/experiments/restore`, json: { experiment_id: exp.experiment_id } },
        EmptyAnswer,
      );
    } catch (e) {
      // Someone else restored it meanwhile: fine if it is active now.
      const again = await getExperimentByName(http, name);
      if (again?.lifecycle_stage !== 'active') throw e;
    }
    exp = { ...exp, lifecycle_stage: 'active' };
  }
  return exp;
}

function toBatchJson(runId: string, batch: LogBatch): object {
  return {
    run_id: runId,
    metrics: batch.metrics.map((m) => ({ ...m, value: metricValueJson(m.value) })),
    params: batch.params,
    tags: batch.tags,
  };
}

/** Pages of runs/search until `maxResults` runs were read or the server has no next page. */
async function* searchRunPages(http: MlflowHttp, input: SearchRunsInput): AsyncGenerator<MlflowRun[]> {
  const size = Math.max(1, Math.min(input.pageSize ?? SEARCH_PAGE_SIZE, SEARCH_PAGE_SIZE));
  let left = input.maxResults;
  let token: string | undefined;
  while (left > 0) {
    const json = {
      experiment_ids: input.experimentIds,
      filter: input.filter,
      order_by: input.orderBy,
      max_results: Math.min(size, left),
      ...(token ? { page_token: token } : {}),
    };
    const a = await http.json({ method: 'POST', path: `${API}/runs/search`, json }, SearchRunsAnswer);
    const page = a.runs.slice(0, left);
    left -= page.length;
    if (page.length) yield page;
    token = a.next_page_token || undefined;
    // A page with no runs and a token would loop for ever on a misbehaving server: stop there too.
    if (!token || a.runs.length === 0) return;
  }
}

const API3 = '/api/3.0/mlflow';

export function createMlflowClient(config: MlflowConfig, opts: MlflowClientOptions = {}): MlflowClient {
  const http = createMlflowHttp(config, opts);
  const assessmentsPath = (traceId: string): string =>
    `${API3}/traces/${encodeURIComponent(traceId)}/assessments`;
  const post = (path: string, json: unknown): Promise<unknown> =>
    http.json({ method: 'POST', path: `${API}${path}`, json }, EmptyAnswer);

  return {
    trackingUri: http.baseUrl,
    getOrCreateExperiment: (name) => getOrCreateExperiment(http, name),
    async createRun(input) {
      const tags = {
        ...input.tags,
        ...(input.parentRunId ? { 'mlflow.parentRunId': input.parentRunId } : {}),
      };
      const body = {
        experiment_id: input.experimentId,
        run_name: input.runName,
        start_time: input.startTime ?? Date.now(),
        tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
      };
      const a = await http.json({ method: 'POST', path: `${API}/runs/create`, json: body }, RunAnswer);
      return a.run.info;
    },
    async getRun(runId) {
      const a = await http.json(
        { method: 'GET', path: `${API}/runs/get`, query: { run_id: runId } },
        RunAnswer,
      );
      return a.run;
    },
    async updateRun(runId, status, endTime) {
      await post('/runs/update', {
        run_id: runId,
        status,
        ...(endTime === undefined ? {} : { end_time: endTime }),
      });
    },
    async logBatch(runId, batch) {
      const parts = splitLogBatch({
        metrics: batch.metrics ?? [],
        params: batch.params ?? [],
        tags: batch.tags ?? [],
      });
      for (const part of parts) await post('/runs/log-batch', toBatchJson(runId, part));
    },
    async uploadArtifact(artifactUri, path, content, contentType) {
      await http.send({
        method: 'PUT',
        path: artifactApiPath(artifactUri, path),
        body: content,
        contentType,
      });
    },
    async listArtifacts(runId, path) {
      const files: string[] = [];
      let token: string | undefined;
      do {
        const query: Record<string, string> = {
          run_id: runId,
          path,
          ...(token ? { page_token: token } : {}),
        };
        const a = await http.json(
          { method: 'GET', path: `${API}/artifacts/list`, query },
          ListArtifactsAnswer,
        );
        files.push(...a.files.filter((f) => !f.is_dir).map((f) => f.path));
        token = a.next_page_token || undefined;
      } while (token);
      return files;
    },
    async downloadArtifact(artifactUri, path) {
      return (await http.send({ method: 'GET', path: artifactApiPath(artifactUri, path) })).text;
    },
    async logInputs(runId, datasets, modelIds = []) {
      await post('/runs/log-inputs', {
        run_id: runId,
        datasets: datasets.map((d) => ({
          tags: [{ key: 'mlflow.data.context', value: d.context }],
          dataset: {
            name: d.name,
            digest: d.digest,
            source_type: d.sourceType,
            source: d.source,
            schema: d.schema,
            profile: d.profile,
          },
        })),
        ...(modelIds.length ? { models: modelIds.map((model_id) => ({ model_id })) } : {}),
      });
    },
    async registerPromptVersion(name, text) {
      try {
        await post('/registered-models/create', { name, tags: pairs({ [PROMPT_TAG]: 'true' }) });
      } catch (e) {
        if (!isMlflowError(e) || e.errorCode !== 'RESOURCE_ALREADY_EXISTS') throw e;
      }
      const got = await http.json(
        { method: 'GET', path: `${API}/registered-models/get`, query: { name } },
        RegisteredModelAnswer,
      );
      const same = got.registered_model.latest_versions.find(
        (v) => v.tags.find((t) => t.key === PROMPT_TEXT_TAG)?.value === text,
      );
      if (same) return same.version;
      const created = await http.json(
        {
          method: 'POST',
          path: `${API}/model-versions/create`,
          json: {
            name,
            source: PROMPT_SOURCE,
            tags: pairs({ [PROMPT_TAG]: 'true', [PROMPT_TEXT_TAG]: text, _mlflow_prompt_type: 'text' }),
          },
        },
        ModelVersionAnswer,
      );
      return created.model_version.version;
    },
    async findEvaluationDataset(experimentId, name, key, value) {
      const quote = (v: string): string => `'${v.replace(/'/g, "\\'")}'`;
      const a = await http.json(
        {
          method: 'POST',
          path: `${API3}/datasets/search`,
          // The datasets filter takes a dotted tag key bare: 3.17 matches nothing for a backquoted one.
          json: {
            experiment_ids: [experimentId],
            filter_string: `name = ${quote(name)} AND tags.${key} = ${quote(value)}`,
            max_results: 1,
          },
        },
        EvaluationDatasetsAnswer,
      );
      return a.datasets[0] ?? null;
    },
    async createEvaluationDataset(name, experimentIds, tags) {
      const json = { name, experiment_ids: experimentIds, tags: JSON.stringify(tags) };
      const a = await http.json(
        { method: 'POST', path: `${API3}/datasets/create`, json },
        EvaluationDatasetAnswer,
      );
      return a.dataset;
    },
    async upsertDatasetRecords(datasetId, records) {
      const base = `${API3}/datasets/${encodeURIComponent(datasetId)}`;
      for (let i = 0; i < records.length; i += RECORDS_PER_UPSERT) {
        const json = { records: JSON.stringify(records.slice(i, i + RECORDS_PER_UPSERT)) };
        await http.json({ method: 'POST', path: `${base}/records`, json }, UpsertRecordsAnswer);
      }
      return (await http.json({ method: 'GET', path: base }, EvaluationDatasetAnswer)).dataset;
    },
    async findLoggedModel(experimentId, key, value) {
      const a = await http.json(
        {
          method: 'POST',
          path: `${API}/logged-models/search`,
          json: {
            experiment_ids: [experimentId],
            filter: `tags.\`${key}\` = ${filterValue(value)}`,
            max_results: 1,
          },
        },
        LoggedModelsAnswer,
      );
      return a.models[0]?.info.model_id ?? null;
    },
    async createLoggedModel(input) {
      const a = await http.json(
        {
          method: 'POST',
          path: `${API}/logged-models`,
          json: {
            experiment_id: input.experimentId,
            name: input.name,
            model_type: input.modelType,
            tags: pairs(input.tags),
            params: pairs(input.params),
          },
        },
        LoggedModelAnswer,
      );
      const id = a.model.info.model_id;
      await http.send({
        method: 'PATCH',
        path: `${API}/logged-models/${encodeURIComponent(id)}`,
        // FinalizeLoggedModel wants the id in the body too (3.17 answers INVALID_PARAMETER_VALUE without it).
        json: { model_id: id, status: 'LOGGED_MODEL_READY' },
      });
      return id;
    },
    async exportTraces(experimentId, otlpJson, runId) {
      const headers: Record<string, string> = { 'x-mlflow-experiment-id': experimentId };
      if (runId) headers['x-mlflow-run-id'] = runId;
      await http.send({
        method: 'POST',
        path: '/v1/traces',
        body: otlpJson,
        contentType: 'application/json',
        headers,
        // The server prices every LLM span as it ingests it (its first pricing loads its provider tables, seconds
        // on a cold server); the export is after the proposal and the flush's own deadline bounds it.
        timeoutMs: TRACE_EXPORT_TIMEOUT_MS,
      });
    },
    async linkTracesToRun(runId, traceIds) {
      // The server takes at most 100 trace ids per request.
      for (let i = 0; i < traceIds.length; i += 100) {
        await post('/traces/link-to-run', { run_id: runId, trace_ids: traceIds.slice(i, i + 100) });
      }
    },
    async setTraceTag(traceId, key, value) {
      await http.send({
        method: 'PATCH',
        path: `${API}/traces/${encodeURIComponent(traceId)}/tags`,
        json: { key, value },
      });
    },
    runUrl: (experimentId, runId) => runUrl(http.baseUrl, experimentId, runId, opts.databricksHost),
    findExperiment: (name) => getExperimentByName(http, name),
    searchRunPages: (input) => searchRunPages(http, input),
    async searchRuns(input) {
      const runs: MlflowRun[] = [];
      for await (const page of searchRunPages(http, input)) runs.push(...page);
      return runs;
    },
    async getTraceInfo(traceId) {
      const path = `${API3}/traces/${encodeURIComponent(traceId)}`;
      return (await http.json({ method: 'GET', path }, TraceInfoAnswer)).trace.trace_info;
    },
    async createAssessment(traceId, assessment) {
      const json = { assessment: feedbackJson(traceId, assessment) };
      const a = await http.json({ method: 'POST', path: assessmentsPath(traceId), json }, AssessmentAnswer);
      return a.assessment;
    },
    async updateFeedback(traceId, assessmentId, assessment) {
      const json = {
        assessment: feedbackJson(traceId, assessment),
        // A FieldMask in proto3 JSON is one comma-separated string.
        update_mask: 'feedback,rationale,metadata',
      };
      const path = `${assessmentsPath(traceId)}/${encodeURIComponent(assessmentId)}`;
      return (await http.json({ method: 'PATCH', path, json }, AssessmentAnswer)).assessment;
    },
  };
}
