// The typed story of one incident (request, diagnosis, change, decision, rollout, rollback), merged as it unfolds.
import { z } from 'zod';
import { AlertTrigger, Category, EngineName, Validation } from '../domain/index.js';

/** Stored diffs are clipped so the whole record fits one MLflow tag (8,000 characters). */
export const STORY_DIFF_CHARS = 2500;

/** The alert an investigation began with, and when it resolved (null while firing). */
export const StoryAlert = AlertTrigger.omit({ kind: true }).extend({ resolvedAt: z.string().nullable() });
export type StoryAlert = z.infer<typeof StoryAlert>;

export const StoryRequest = z.object({
  requestedBy: z.string().nullable(),
  channel: z.string().nullable(),
  threadUrl: z.string().nullable(),
  /** `mlflow.trace.session` of every trace of this incident. */
  sessionId: z.string().nullable(),
  /** ISO time the investigation started. */
  at: z.string(),
  /** Set when an alert, not a person, started the investigation. */
  alert: StoryAlert.nullable().optional(),
});
export type StoryRequest = z.infer<typeof StoryRequest>;

export const StoryDiagnosis = z.object({
  category: Category,
  rootCause: z.string(),
  summary: z.string(),
  confidence: z.number(),
  engine: EngineName,
  /** The engine's notes: how confidence was reached, what it could not see. */
  notes: z.array(z.string()),
});
export type StoryDiagnosis = z.infer<typeof StoryDiagnosis>;

export const StoryDecision = z.object({
  decision: z.enum(['approved', 'rejected', 'expired']),
  by: z.string().nullable(),
  at: z.string(),
});
export type StoryDecision = z.infer<typeof StoryDecision>;

export const StoryRollout = z.object({
  healthy: z.boolean(),
  message: z.string(),
  seconds: z.number(),
  /** From the request to a healthy rollout; null when it did not heal. */
  timeToHealthySeconds: z.number().nullable(),
  at: z.string(),
});
export type StoryRollout = z.infer<typeof StoryRollout>;

export const StoryRollback = z.object({
  by: z.string().nullable(),
  healthy: z.boolean(),
  message: z.string(),
  at: z.string(),
});
export type StoryRollback = z.infer<typeof StoryRollback>;

export const IncidentStory = z.object({
  target: z.object({ kind: z.string(), name: z.string(), namespace: z.string() }),
  request: StoryRequest,
  outcome: z.string().nullable(),
  iterations: z.number().int().nullable(),
  diagnosis: StoryDiagnosis.nullable(),
  change: z.object({ sentences: z.array(z.string()), diff: z.string() }).nullable(),
  validation: Validation.nullable(),
  /** "seen 3 times in 30 days; …": context from earlier incidents of this workload. */
  history: z.string().nullable(),
  decision: StoryDecision.nullable(),
  rollout: StoryRollout.nullable(),
  rollback: StoryRollback.nullable(),
});
export type IncidentStory = z.infer<typeof IncidentStory>;

/** What a step adds to the story; fields it does not know stay as they were. */
export type StoryPatch = Partial<Omit<IncidentStory, 'target' | 'request'>> & {
  /** `alert` merges into the story's alert (e.g. only `resolvedAt`); it never starts one from a part. */
  request?: Partial<Omit<StoryRequest, 'alert'>> & { alert?: Partial<StoryAlert> | null };
};

export function newStory(target: IncidentStory['target'], request: StoryRequest): IncidentStory {
  return {
    target: { kind: target.kind, name: target.name, namespace: target.namespace },
    request,
    outcome: null,
    iterations: null,
    diagnosis: null,
    change: null,
    validation: null,
    history: null,
    decision: null,
    rollout: null,
    rollback: null,
  };
}

function mergeAlert(
  current: StoryAlert | null | undefined,
  patch: Partial<StoryAlert> | null | undefined,
): StoryAlert | null | undefined {
  if (patch === undefined) return current;
  if (patch === null) return null;
  const merged = StoryAlert.safeParse({ ...(current ?? {}), ...patch });
  return merged.success ? merged.data : current;
}

export function mergeStory(story: IncidentStory, patch: StoryPatch): IncidentStory {
  const { request, ...rest } = patch;
  const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const { alert, ...requestRest } = request ?? {};
  const merged: IncidentStory = {
    ...story,
    ...defined,
    request: { ...story.request, ...requestRest, alert: mergeAlert(story.request.alert, alert) },
  };
  const r = merged.rollout;
  if (patch.rollout && r?.healthy && r.timeToHealthySeconds === null) {
    // Time to healthy runs from the request, which only the story itself knows in a later process.
    const seconds = (Date.parse(r.at) - Date.parse(merged.request.at)) / 1000;
    if (Number.isFinite(seconds)) merged.rollout = { ...r, timeToHealthySeconds: Math.max(0, seconds) };
  }
  if (merged.change && merged.change.diff.length > STORY_DIFF_CHARS) {
    merged.change = {
      ...merged.change,
      diff: `${merged.change.diff.slice(0, STORY_DIFF_CHARS)}\n… (full diff in the run's artifacts)`,
    };
  }
  return merged;
}

/** The story stored in a run's `autofix.story` tag, or null when absent or unreadable. */
export function parseStory(json: string | undefined): IncidentStory | null {
  if (!json) return null;
  try {
    const r = IncidentStory.safeParse(JSON.parse(json));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
