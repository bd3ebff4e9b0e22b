// zod schemas of the MLflow REST answers this project reads; they are the source of truth for those shapes.
import { z } from 'zod';

export const MlflowExperiment = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string().optional(),
  /** "active" or "deleted". */
  lifecycle_stage: z.string(),
});
export type MlflowExperiment = z.infer<typeof MlflowExperiment>;

export const GetExperimentAnswer = z.object({ experiment: MlflowExperiment });
export const CreateExperimentAnswer = z.object({ experiment_id: z.string() });

export const MlflowRunStatus = z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);
export type MlflowRunStatus = z.infer<typeof MlflowRunStatus>;

export const MlflowRunInfo = z.object({
  run_id: z.string(),
  experiment_id: z.string(),
  run_name: z.string().optional(),
  status: MlflowRunStatus,
  start_time: z.coerce.number().optional(),
  end_time: z.coerce.number().optional(),
  artifact_uri: z.string(),
  lifecycle_stage: z.string(),
});
export type MlflowRunInfo = z.infer<typeof MlflowRunInfo>;

const KeyValue = z.object({ key: z.string(), value: z.string() });
export const MlflowRunData = z.object({
  metrics: z
    .array(
      z.object({
        key: z.string(),
        value: z.union([z.number(), z.string()]),
        timestamp: z.coerce.number(),
        step: z.coerce.number(),
      }),
    )
    .default([]),
  params: z.array(KeyValue).default([]),
  tags: z.array(KeyValue).default([]),
});
export type MlflowRunData = z.infer<typeof MlflowRunData>;

export const MlflowRun = z.object({
  info: MlflowRunInfo,
  data: MlflowRunData.default({ metrics: [], params: [], tags: [] }),
});
export type MlflowRun = z.infer<typeof MlflowRun>;

export const RunAnswer = z.object({ run: MlflowRun });
export const UpdateRunAnswer = z.object({ run_info: MlflowRunInfo.partial().optional() });
/** Answers whose body we do not use (log-batch, restore, link-to-run, set-tag). */
export const EmptyAnswer = z.object({}).loose();

export const SearchRunsAnswer = z.object({
  runs: z.array(MlflowRun).default([]),
  next_page_token: z.string().optional(),
});

export const ListArtifactsAnswer = z.object({
  files: z
    .array(
      z.object({
        path: z.string(),
        is_dir: z.boolean().default(false),
        file_size: z.coerce.number().optional(),
      }),
    )
    .default([]),
  next_page_token: z.string().optional(),
});

const ModelVersion = z.object({
  version: z.string(),
  tags: z.array(KeyValue).default([]),
});
export const RegisteredModelAnswer = z.object({
  registered_model: z.object({ name: z.string(), latest_versions: z.array(ModelVersion).default([]) }),
});
export const ModelVersionAnswer = z.object({ model_version: ModelVersion });
const LoggedModel = z.object({ info: z.object({ model_id: z.string(), name: z.string().optional() }) });
export const LoggedModelAnswer = z.object({ model: LoggedModel });
export const LoggedModelsAnswer = z.object({ models: z.array(LoggedModel).default([]) });

/** A GenAI evaluation dataset (`/api/3.0/mlflow/datasets`): its tags, schema and profile are JSON strings. */
export const EvaluationDataset = z.object({
  dataset_id: z.string(),
  name: z.string(),
  digest: z.string(),
  tags: z.string().optional(),
  schema: z.string().optional(),
  profile: z.string().optional(),
});
export type EvaluationDataset = z.infer<typeof EvaluationDataset>;
export const EvaluationDatasetAnswer = z.object({ dataset: EvaluationDataset });
export const EvaluationDatasetsAnswer = z.object({
  datasets: z.array(EvaluationDataset).default([]),
  next_page_token: z.string().optional(),
});
/** Proto3 JSON leaves zero counts out. */
export const UpsertRecordsAnswer = z.object({
  inserted_count: z.coerce.number().default(0),
  updated_count: z.coerce.number().default(0),
});

/** An assessment of a trace as MLflow 3 returns it (feedback only: what this project writes). */
export const MlflowAssessment = z.object({
  assessment_id: z.string(),
  assessment_name: z.string(),
  trace_id: z.string().optional(),
  source: z.object({ source_type: z.string(), source_id: z.string().optional() }).optional(),
  feedback: z.object({ value: z.unknown().optional() }).loose().optional(),
  rationale: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  valid: z.boolean().optional(),
});
export type MlflowAssessment = z.infer<typeof MlflowAssessment>;

export const AssessmentAnswer = z.object({ assessment: MlflowAssessment });

export const MlflowTraceInfo = z.object({
  trace_id: z.string(),
  state: z.string().optional(),
  trace_metadata: z.record(z.string(), z.string()).default({}),
  tags: z.record(z.string(), z.string()).default({}),
  assessments: z.array(MlflowAssessment).default([]),
});
export type MlflowTraceInfo = z.infer<typeof MlflowTraceInfo>;

export const TraceInfoAnswer = z.object({ trace: z.object({ trace_info: MlflowTraceInfo }) });
