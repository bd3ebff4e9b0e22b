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
