// The Tracker interface the agent reports to; MlflowTracker implements it, NoopTracker when tracking is off.
import type { AlertTrigger } from '../domain/index.js';
import type { PromptTemplate } from './agent-version.js';
import type { StoryPatch } from './incident-story.js';
import type { PastIncident } from './past-incidents.js';
import type { WorkloadRef } from './workload-history.js';

export type { StoryPatch } from './incident-story.js';
export type { PastIncident } from './past-incidents.js';
export type { WorkloadRef } from './workload-history.js';

export interface FeedbackInput {
  /** The investigation's MLflow run: its trace id derives from it. */
  runId: string;
  /** Who gave the feedback (a Slack user id): the assessment's HUMAN source. */
  userId: string;
  helpful: boolean;
  reason: string | null;
  /** Where it was given, kept as assessment metadata. */
  channel: string | null;
}

export type RunStatus = 'FINISHED' | 'FAILED' | 'KILLED';

/** What is known of an investigation whose bookkeeping was lost (the workflow's record in Redis). */
export interface AbandonedRunFacts {
  outcome: string;
  patch: StoryPatch | null;
}

export type AbandonedRunResult = 'completed' | 'already_ended' | 'untracked' | 'unavailable';

export interface InvestigationInfo {
  target: { kind: string; name: string; namespace: string };
  engine: string;
  model: string;
  maxIterations: number;
  policyLevel: string;
  agentVersion: string;
  /** AUTOFIX_CLUSTER of the investigating worker (or CLI): the `autofix.cluster` tag. */
  cluster?: string;
  /**
   * The templates the engine renders (none for the rule engine): their digest is the `autofix.prompt_version`
   * tag, their prompt-registry versions the run's `mlflow.linkedPrompts`.
   */
  prompts?: readonly PromptTemplate[];
  requestedBy: string | null;
  channel: string | null;
  /** Link to the Slack thread the incident is handled in. */
  threadUrl?: string | null;
  /** Groups every round's trace in MLflow's Sessions view (`mlflow.trace.session`). */
  sessionId?: string | null;
  /** The alert that started the investigation (null or absent: a person asked). */
  alert?: AlertTrigger | null;
  /** The queue job investigating (tag `autofix.job_id`): how a recovering worker finds a killed attempt's run. */
  jobId?: string | null;
}

/** Span kinds map onto MLflow span types (CHAIN, TOOL, LLM, …). */
export type SpanKind = 'chain' | 'tool' | 'llm' | 'retriever' | 'agent' | 'unknown';

export interface SpanHandle {
  setAttributes(attrs: Record<string, string | number | boolean>): void;
  /** Token usage of an LLM span (GenAI semantic conventions). */
  setUsage(usage: {
    model: string;
    promptTokens: number;
    completionTokens: number;
    /** What the server says answered, when it said (`gen_ai.response.model`). */
    responseModel?: string | null;
  }): void;
  /**
   * A span nested under this one (e.g. policy and dry-run under validate). `at` records work that
   * already happened (an LLM call measured by the engine): its start (epoch ms) and duration.
   */
  startChild(
    name: string,
    kind: SpanKind,
    attrs?: Record<string, string | number | boolean>,
    at?: { startMs: number; durationMs: number },
  ): SpanHandle;
  end(error?: unknown): void;
}

export interface RunHandle {
  readonly runId: string | null;
  readonly runUrl: string | null;
  logParams(params: Record<string, string | number>): Promise<void>;
  logMetrics(metrics: Record<string, number>, step?: number): Promise<void>;
  setTags(tags: Record<string, string>): Promise<void>;
  /** Text or JSON (serialised pretty) under the run's artifacts at `path`. */
  logArtifact(path: string, content: string | object): Promise<void>;
  startSpan(name: string, kind: SpanKind, attrs?: Record<string, string | number | boolean>): SpanHandle;
  end(status: RunStatus): Promise<void>;
}

export interface InvestigationRun extends RunHandle {
  /**
   * Resolves once the run exists on the server (or is known not to): its creation runs beside the
   * investigation, and `runId`/`runUrl` are null until then. The workload's history is read beside it
   * too; `past` is what it has answered so far (waited for only by a tracker made to, e.g. the CLI's).
   */
  settled(): Promise<void>;
  /**
   * A nested run (`mlflow.parentRunId`) for iteration n (1-based). Metrics logged on it (step n by
   * default) are logged on the parent run too, at the same step.
   */
  startIteration(n: number): Promise<RunHandle>;
  /** A nested run for the apply/verify step after approval. */
  startApply(): Promise<RunHandle>;
  /** Problems with tracking itself (outage, 401): reported once, never thrown. */
  readonly warnings: readonly string[];
  /**
   * Adds what a step learned to the incident's story: the run's Markdown description
   * (`mlflow.note.content`), its filterable `autofix.*` tags and the trace's root outputs.
   */
  tellStory(patch: StoryPatch): Promise<void>;
  /** Earlier investigations of the same workload, newest first (empty when tracking is off or down, or not answered yet). */
  readonly past: readonly PastIncident[];
}

/** The one port to MLflow, for the worker, the CLI and the bot alike (the bot only tags, reads and records feedback). */
export interface Tracker {
  /** False for the no-op tracker (MLFLOW_TRACKING_URI unset): history and feedback say so instead of answering. */
  readonly enabled: boolean;
  startInvestigation(info: InvestigationInfo): Promise<InvestigationRun>;
  /** Re-open an existing parent run (the apply step runs later, in another job). */
  resumeInvestigation(runId: string): Promise<InvestigationRun>;
  /**
   * Tags a decision (`autofix.decision`, who) on an investigation's run and adds it to the run's story,
   * without reopening the run; a decision is never held up by MLflow, so this never throws.
   */
  recordDecision(runId: string | null, tags: Record<string, string>): Promise<void>;
  /**
   * The alert an investigation began with has resolved: tagged (`autofix.alert.resolved_at`) and told in the
   * run's story, without reopening the run. Like a decision, never held up by MLflow: this never throws.
   */
  recordAlertResolved(runId: string | null, resolvedAt: string): Promise<void>;
  /**
   * Completes an investigation run whose process died before its bookkeeping was written: a run still
   * RUNNING (and nested runs left open) ends FINISHED, tagged `autofix.bookkeeping=lost` with the outcome
   * and told `patch`; a run that has ended is left alone. Never throws: says what it did.
   */
  completeAbandonedRun(runId: string, facts: AbandonedRunFacts): Promise<AbandonedRunResult>;
  /**
   * Investigation runs of queue job `jobId` still RUNNING (its `autofix.job_id` tag), oldest first: what a
   * killed attempt left open before it could record its run. Empty when tracking is off or MLflow does not
   * answer; never throws.
   */
  openRunsOfJob(jobId: string): Promise<string[]>;
  /**
   * Outcome labels (`outcome-labels.ts`) on a finished investigation's run, e.g. an eval case's expected
   * category; like a decision, never held up by MLflow and never throws.
   */
  recordLabels(runId: string | null, labels: Record<string, string>): Promise<void>;
  /**
   * A person's helpful / not helpful on an investigation, replacing their earlier one, also kept as the
   * run's feedback labels (a correction names the expected category). Throws when MLflow cannot record it.
   */
  recordFeedback(input: FeedbackInput): Promise<{ replaced: boolean }>;
  /** Past investigations of a workload, newest first, at most `limit`. Throws when MLflow does not answer. */
  history(target: WorkloadRef, limit: number): Promise<PastIncident[]>;
}
