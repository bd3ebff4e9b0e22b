// Shrinks redacted Evidence to a compact JSON string within a character budget, keeping what diagnoses need.
import type {
  EventSummary,
  Evidence,
  KubeObject,
  LogTail,
  PodSummary,
  RevisionSummary,
} from '../../../domain/index.js';
import { dropEmpty, leanPod, leanRevisions, leanWorkloadSpec } from './lean-evidence.js';

interface Limits {
  pods: number;
  events: number;
  logTails: number;
  logLines: number;
  revisions: number;
  nodes: number;
  /** Any single string longer than this is clipped (event messages, log lines, annotations…). */
  maxString: number;
}

// Tried in order until the JSON fits; each level gives up detail the model can most easily do without.
const LEVELS: Limits[] = [
  { pods: 6, events: 30, logTails: 6, logLines: 40, revisions: 4, nodes: 10, maxString: 1000 },
  { pods: 4, events: 25, logTails: 6, logLines: 30, revisions: 3, nodes: 5, maxString: 400 },
  { pods: 3, events: 15, logTails: 4, logLines: 15, revisions: 2, nodes: 3, maxString: 250 },
  { pods: 2, events: 8, logTails: 2, logLines: 6, revisions: 2, nodes: 2, maxString: 200 },
  { pods: 1, events: 5, logTails: 0, logLines: 0, revisions: 1, nodes: 1, maxString: 160 },
];

export const DEFAULT_EVIDENCE_BUDGET_CHARS = 24_000;

function clipStrings(value: unknown, max: number): unknown {
  if (typeof value === 'string')
    return value.length > max ? `${value.slice(0, max)}…[+${value.length - max} chars]` : value;
  if (Array.isArray(value)) return value.map((v) => clipStrings(v, max));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clipStrings(v, max)]));
  }
  return value;
}

/** The live object without status (summarised elsewhere), the last-applied annotation (a duplicate) and defaults. */
function leanWorkload(workload: KubeObject): KubeObject {
  const { status: _status, ...rest } = leanWorkloadSpec(workload);
  const metadata = rest.metadata as Record<string, unknown> | undefined;
  if (!metadata || typeof metadata !== 'object') return rest;
  // uid and resourceVersion guard the apply, not the diagnosis.
  const { managedFields: _mf, uid: _uid, resourceVersion: _rv, annotations, ...meta } = metadata;
  const kept = Object.entries((annotations ?? {}) as Record<string, unknown>).filter(
    ([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration',
  );
  return { ...rest, metadata: kept.length > 0 ? { ...meta, annotations: Object.fromEntries(kept) } : meta };
}

const unhealthy = (p: PodSummary): boolean =>
  p.phase !== 'Running' || [...p.initContainers, ...p.containers].some((c) => !c.ready || c.restartCount > 0);

/** Unhealthy pods first; of the healthy ones one per owner is enough (the rest look the same). */
function pickPods(pods: PodSummary[], n: number): PodSummary[] {
  const seen = new Set<string | null>();
  const healthyOnePerOwner = pods.filter((p) => {
    if (unhealthy(p)) return true;
    if (seen.has(p.owner)) return false;
    seen.add(p.owner);
    return true;
  });
  return healthyOnePerOwner.sort((a, b) => Number(unhealthy(b)) - Number(unhealthy(a))).slice(0, n);
}

/** The same event on several pods (one per replica) once, with how many objects reported it. */
function mergeRepeats(events: EventSummary[]): Array<EventSummary & { objects?: number }> {
  const byKey = new Map<string, EventSummary & { objects?: number }>();
  for (const e of events) {
    const key = `${e.kind}|${e.type}|${e.reason}|${e.message}`;
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { ...e });
    else byKey.set(key, { ...seen, count: seen.count + e.count, objects: (seen.objects ?? 1) + 1 });
  }
  return [...byKey.values()];
}

function pickEvents(events: EventSummary[], n: number): EventSummary[] {
  const rank = (e: EventSummary): number => (e.type === 'Warning' ? 0 : 1);
  return mergeRepeats(
    [...events].sort((a, b) => rank(a) - rank(b) || (b.lastSeen ?? '').localeCompare(a.lastSeen ?? '')),
  ).slice(0, n);
}

/** Previous-container logs first (they hold the crash), only for kept pods, each cut to its last lines. */
function pickLogs(logs: LogTail[], pods: Set<string>, limits: Limits): LogTail[] {
  return logs
    .filter((l) => pods.has(l.pod))
    .sort((a, b) => Number(b.previous) - Number(a.previous))
    .slice(0, limits.logTails)
    .map((l) => {
      const lines = limits.logLines > 0 ? l.lines.slice(-limits.logLines) : [];
      return { ...l, lines, truncated: l.truncated || lines.length < l.lines.length };
    });
}

function pickRevisions(revisions: RevisionSummary[], n: number): RevisionSummary[] {
  const newest = [...revisions].sort((a, b) => b.revision - a.revision);
  const current = newest.filter((r) => r.current);
  return [...current, ...newest.filter((r) => !r.current)].slice(0, Math.max(n, current.length));
}

function compactAt(e: Evidence, limits: Limits): Record<string, unknown> {
  const pods = pickPods(e.pods, limits.pods);
  const logs = pickLogs(e.logs, new Set(pods.map((p) => p.name)), limits);
  const revisions = pickRevisions(e.revisions, limits.revisions);
  const events = pickEvents(e.events, limits.events);
  const nodes = e.nodes.slice(0, limits.nodes);
  const omitted = {
    pods: e.pods.length - pods.length,
    // Merged repeats are represented (their `objects` says how many), not omitted.
    events: e.events.length - events.reduce((n, ev) => n + ((ev as { objects?: number }).objects ?? 1), 0),
    logTails: e.logs.length - logs.length,
    revisions: e.revisions.length - revisions.length,
    nodes: e.nodes.length - nodes.length,
  };
  const compact = {
    ...(dropEmpty({
      target: e.target,
      collectedAt: e.collectedAt,
      workload: leanWorkload(e.workload),
      status: e.status,
      revisions: leanRevisions(revisions, e.workload),
      pods: pods.map(leanPod),
      events,
      logs,
      references: e.references,
      services: e.services,
      quotas: e.quotas,
      limitRanges: e.limitRanges,
      nodes,
      gaps: e.gaps,
    }) as Record<string, unknown>),
    omitted: Object.fromEntries(Object.entries(omitted).filter(([, n]) => n > 0)),
  };
  return clipStrings(compact, limits.maxString) as Record<string, unknown>;
}

/** Compact JSON of the evidence, at most `budgetChars` long; trimming is recorded in its `omitted` field. */
export function compactEvidence(evidence: Evidence, budgetChars = DEFAULT_EVIDENCE_BUDGET_CHARS): string {
  let json = '';
  for (const limits of LEVELS) {
    json = JSON.stringify(compactAt(evidence, limits));
    if (json.length <= budgetChars) return json;
  }
  // Last resort for pathological objects (thousands of env vars): a hard cut the model is told about.
  const marker = '…[evidence cut to fit the prompt budget]';
  return json.slice(0, Math.max(0, budgetChars - marker.length)) + marker;
}
