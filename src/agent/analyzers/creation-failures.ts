// Pods the workload's controller failed to create: its FailedCreate events and ReplicaFailure condition, grouped by cause.
import type { Evidence } from '../../domain/index.js';
import type { Source } from './make-finding.js';
import { desiredReplicas } from './pod-template.js';
import { relatedEvents } from './related-evidence.js';
import { currentRevision } from './select-pods.js';

/** FailedCreate messages of the workload's revisions (the current one's first), and the ReplicaFailure condition. */
function failureMessages(evidence: Evidence): { events: string[]; condition: string | null } {
  const names = evidence.revisions.map((r) => r.name);
  const kinds = ['ReplicaSet', 'StatefulSet'];
  const all = kinds.flatMap((k) =>
    relatedEvents(evidence, k, k === 'StatefulSet' ? [evidence.target.name] : names),
  );
  const current = currentRevision(evidence);
  const preferred = all.filter((e) => e.name === current?.name || e.kind === 'StatefulSet');
  const events = (preferred.length > 0 ? preferred : all).filter((e) => e.reason === 'FailedCreate');
  const cond = evidence.status.conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  return { events: events.map((e) => e.message), condition: cond?.message ?? null };
}

export interface Grouped<T> {
  item: T;
  /** The controller's messages that named it, each once. */
  quotes: string[];
  sources: Source[];
}

/** Every refusal `parse` reads in the messages, grouped by id; `short` when replicas are missing because of them. */
export function creationRefusals<T extends { id: string }>(
  evidence: Evidence,
  parse: (message: string) => T[],
): { found: Grouped<T>[]; short: boolean } {
  const { events, condition } = failureMessages(evidence);
  const found = new Map<string, Grouped<T>>();
  const collect = (message: string, source: Source): void => {
    for (const item of parse(message)) {
      const entry = found.get(item.id) ?? { item, quotes: [], sources: [] };
      if (!entry.quotes.includes(message)) entry.quotes.push(message);
      if (!entry.sources.includes(source)) entry.sources.push(source);
      found.set(item.id, entry);
    }
  };
  events.forEach((m) => collect(m, 'events'));
  if (condition) collect(condition, 'status');
  const s = evidence.status;
  const short = Math.min(s.availableReplicas, s.updatedReplicas) < desiredReplicas(evidence.workload);
  return { found: [...found.values()], short };
}
