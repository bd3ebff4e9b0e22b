// The trace's root span as a reader scans it: the request as inputs, the incident's outcome as outputs.
import type { IncidentStory } from './incident-story.js';
import type { AttrValue } from './trace-recorder.js';

/** `deployment/web@shop`: the parent run's name. */
export function investigationRunName(target: IncidentStory['target']): string {
  return `${target.kind.toLowerCase()}/${target.name}@${target.namespace}`;
}

export function rootSpanName(target: IncidentStory['target']): string {
  return `investigate ${investigationRunName(target)}`;
}

/**
 * Inputs: the request. `session.id` (OTel semantic conventions) becomes the trace's
 * `mlflow.trace.session` on the server, `user.id` its `mlflow.trace.user`.
 */
export function rootInputs(
  story: IncidentStory,
  extra: Record<string, unknown> = {},
): Record<string, AttrValue> {
  const { target, request } = story;
  const attrs: Record<string, AttrValue> = {
    'mlflow.spanInputs': {
      target: { kind: target.kind, name: target.name, namespace: target.namespace },
      requester: request.requestedBy,
      channel: request.channel,
      thread: request.threadUrl,
      ...extra,
    },
  };
  if (request.sessionId) attrs['session.id'] = request.sessionId;
  if (request.requestedBy) attrs['user.id'] = request.requestedBy;
  return attrs;
}

/** Outputs: how the incident ended so far. */
export function rootOutputs(story: IncidentStory): Record<string, AttrValue> {
  const d = story.diagnosis;
  return {
    'mlflow.spanOutputs': {
      outcome: story.outcome,
      category: d?.category ?? null,
      rootCause: d?.rootCause ?? null,
      confidence: d?.confidence ?? null,
      decision: story.decision ? { decision: story.decision.decision, by: story.decision.by } : null,
      rollout: story.rollout
        ? { healthy: story.rollout.healthy, timeToHealthySeconds: story.rollout.timeToHealthySeconds }
        : null,
      rolledBack: story.rollback !== null,
    },
  };
}
