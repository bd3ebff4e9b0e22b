// Looks up the events and log tails that belong to given pods or containers.
import type { Evidence, EventSummary, LogTail } from '../../domain/index.js';

/** Events about objects of `kind` with one of `names`, most recent first. */
export function relatedEvents(evidence: Evidence, kind: string, names: Iterable<string>): EventSummary[] {
  const wanted = new Set(names);
  return evidence.events
    .filter((e) => e.kind === kind && wanted.has(e.name))
    .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''));
}

/**
 * Log lines of a container in the given pods: the `--previous` tail first, because after a crash
 * the current tail is often empty or belongs to a container that has not failed yet.
 */
export function containerLogs(evidence: Evidence, pods: string[], container: string): LogTail[] {
  return evidence.logs
    .filter((l) => l.container === container && pods.includes(l.pod) && l.lines.length > 0)
    .sort((a, b) => Number(b.previous) - Number(a.previous) || pods.indexOf(a.pod) - pods.indexOf(b.pod));
}
