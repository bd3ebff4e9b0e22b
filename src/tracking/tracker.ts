// The Tracker interface the agent reports to; MlflowTracker implements it, NoopTracker when tracking is off.
import type { StoryPatch } from './incident-story.js';
import type { PastIncident } from './past-incidents.js';

export type { StoryPatch } from './incident-story.js';
export type { PastIncident } from './past-incidents.js';

export type RunStatus = 'FINISHED' | 'FAILED' | 'KILLED';

export interface InvestigationInfo {
  target: { kind: string; name: string; namespace: string };
  engine: string;
  model: string;
  maxIterations: number;
  policyLevel: string;
  agentVersion: string;
  requestedBy: string | null;
  channel: string | null;
  /** Link to the Slack thread the incident is handled in. */
  threadUrl?: string | null;
  /** Groups every round's trace in MLflow's Sessions view (`mlflow.trace.session`). */
  sessionId?: string | null;
}

/** Span kinds map onto MLflow span types (CHAIN, TOOL, LLM, …). */
export type SpanKind = 'chain' | 'tool' | 'llm' | 'retriever' | 'agent' | 'unknown';

export interface SpanHandle {
  setAttributes(attrs: Record<string, string | number | boolean>): void;
  /** Token usage of an LLM span (GenAI semantic conventions). */
  setUsage(usage: { model: string; promptTokens: number; completionTokens: number }): void;
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
  /** Earlier investigations of the same workload, newest first (empty when tracking is off or down). */
  readonly past: readonly PastIncident[];
}

export interface Tracker {
  startInvestigation(info: InvestigationInfo): Promise<InvestigationRun>;
  /** Re-open an existing parent run (the apply step runs later, in another job). */
  resumeInvestigation(runId: string): Promise<InvestigationRun>;
}
