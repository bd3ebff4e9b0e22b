// oom_killed: containers killed for memory (OOMKilled / exit 137), in state or lastState, with their limits.
import type { ContainerState, ContainerStatus, Evidence, Fact, Finding } from '../../domain/index.js';
import { parseQuantity } from '../../domain/index.js';
import type { Analyzer } from './analyzer.js';
import { containerHits, distinct, type ContainerHit } from './container-hits.js';
import { makeFinding, plural } from './make-finding.js';
import { findContainer, workloadTemplate } from './pod-template.js';
import { containerLogs, relatedEvents } from './related-evidence.js';
import { selectPods } from './select-pods.js';

// 137 = 128 + SIGKILL: what the kernel OOM killer leaves when the runtime did not record a reason.
const SIGKILL_EXIT = 137;
const OOM_LOG = /out of memory|OutOfMemory|oom-kill|Killed process/i;

function oomTermination(state: ContainerState): NonNullable<ContainerState['terminated']> | null {
  const t = state.terminated;
  return t && (t.reason === 'OOMKilled' || t.exitCode === SIGKILL_EXIT) ? t : null;
}

/** OOM often hides in lastState while the current state is waiting in CrashLoopBackOff. */
export function isOomKilled(status: ContainerStatus): boolean {
  return oomTermination(status.state) !== null || oomTermination(status.lastState) !== null;
}

function describeLimit(limit: string | null): string {
  return limit ? `a memory limit of ${limit}` : 'no memory limit in its pod template';
}

/** Corroboration beyond the status: the kubelet's back-off events and OOM lines in the log tails. */
function corroboration(
  evidence: Evidence,
  pods: string[],
  name: string,
): { events: string[]; logs: string[] } {
  const events = relatedEvents(evidence, 'Pod', pods)
    .filter((e) => e.reason === 'BackOff' && e.message.includes(`container ${name} `))
    .map((e) => e.message);
  const logs = containerLogs(evidence, pods, name).flatMap((l) => l.lines.filter((x) => OOM_LOG.test(x)));
  return { events, logs };
}

/** The runtime recorded the kernel's verdict, rather than leaving only the exit code. */
function hasOomReason(s: ContainerStatus): boolean {
  return s.state.terminated?.reason === 'OOMKilled' || s.lastState.terminated?.reason === 'OOMKilled';
}

function limitFacts(limit: string | null, request: string | null): Record<string, Fact> {
  return {
    limit,
    limitBytes: limit === null ? null : parseQuantity(limit),
    request,
    requestBytes: request === null ? null : parseQuantity(request),
  };
}

const RECENT_MS = 10 * 60_000;

/** A kill within the last minutes means the container is still cycling, even if it is up right now. */
function recent(finishedAt: string | null, collectedAt: string): boolean {
  if (!finishedAt) return false;
  const age = Date.parse(collectedAt) - Date.parse(finishedAt);
  return Number.isFinite(age) && age < RECENT_MS;
}

function toFinding(evidence: Evidence, hits: ContainerHit[]): Finding {
  const first = [...hits].sort((a, b) => b.status.restartCount - a.status.restartCount)[0]!;
  const { name } = first.status;
  const term = oomTermination(first.status.state) ?? oomTermination(first.status.lastState)!;
  const explicit = hits.some((h) => hasOomReason(h.status));
  const spec = findContainer(workloadTemplate(evidence), name, first.init);
  const limit = spec?.limits.memory ?? null;
  const request = spec?.requests.memory ?? null;
  const podNames = distinct(hits.map((h) => h.pod.name));
  const seen = corroboration(evidence, podNames, name);
  const restarts = Math.max(...hits.map((h) => h.status.restartCount));
  const crashLooping = hits.some((h) => h.status.state.waiting?.reason === 'CrashLoopBackOff');
  const how = explicit
    ? 'was OOMKilled (exit code 137)'
    : 'was killed with exit code 137 (SIGKILL, likely out of memory)';
  const where = term === first.status.state.terminated ? 'state' : 'lastState';
  return makeFinding({
    analyzer: 'oomKilled',
    category: 'oom_killed',
    severity:
      crashLooping || restarts >= 2 || !first.status.ready || recent(term.finishedAt, evidence.collectedAt)
        ? 'critical'
        : 'warning',
    message: `Container ${name} ${how} with ${describeLimit(limit)}, ${plural(restarts, 'restart')} in ${plural(podNames.length, 'pod')}.`,
    container: name,
    facts: {
      ...limitFacts(limit, request),
      explicitReason: explicit,
      exitCode: term.exitCode,
      restartCount: restarts,
      crashLooping,
      pod: first.pod.name,
      pods: podNames.length,
      initContainer: first.init,
    },
    evidence: [
      `${where}.terminated: ${term.reason ?? 'no reason'} (exit code ${term.exitCode})`,
      first.status.state.waiting?.message,
      ...seen.events,
      ...seen.logs,
    ],
    signal: explicit ? 'explicit' : 'inferred',
    sources: [
      'status',
      'spec',
      ...(seen.events.length > 0 ? (['events'] as const) : []),
      ...(seen.logs.length > 0 ? (['logs'] as const) : []),
    ],
  });
}

export const oomKilled: Analyzer = {
  name: 'oomKilled',
  category: 'oom_killed',
  analyze(evidence) {
    return containerHits(selectPods(evidence), isOomKilled).map((group) => toFinding(evidence, group));
  },
};
