// crash_loop: containers that keep exiting (not OOM), with the exit code and the cause read from status or logs.
import type {
  ContainerStatus,
  DependencyCheck,
  Evidence,
  EventSummary,
  Fact,
  Finding,
} from '../../domain/index.js';
import type { Analyzer } from './analyzer.js';
import { containerHits, distinct, type ContainerHit } from './container-hits.js';
import { classifyCrash, type CrashCauseResult, type TerminationInfo } from './crash-causes.js';
import { makeFinding, plural, type Source } from './make-finding.js';
import { isOomKilled } from './oom-killed.js';
import { findContainer, workloadTemplate, type ContainerSpec } from './pod-template.js';
import { containerLogs, relatedEvents } from './related-evidence.js';
import { selectPods } from './select-pods.js';

const START_FAILURES = new Set(['StartError', 'ContainerCannotRun', 'RunContainerError']);

function isCrashing(s: ContainerStatus): boolean {
  if (isOomKilled(s)) return false;
  const waiting = s.state.waiting?.reason ?? '';
  if (waiting === 'CrashLoopBackOff' || waiting === 'RunContainerError') return true;
  const term = s.state.terminated ?? s.lastState.terminated;
  if (term && START_FAILURES.has(term.reason ?? '')) return true;
  return s.restartCount >= 2 && (s.lastState.terminated?.exitCode ?? 0) !== 0;
}

function termination(s: ContainerStatus): TerminationInfo {
  const t = s.lastState.terminated ?? s.state.terminated;
  return { reason: t?.reason ?? null, message: t?.message ?? null, exitCode: t?.exitCode ?? null };
}

/** The most specific cause across the log tails (previous tails first), else the status-only one. */
function crashCause(evidence: Evidence, hit: ContainerHit, pods: string[]): CrashCauseResult {
  const term = termination(hit.status);
  const waiting = hit.status.state.waiting?.message ?? null;
  const tails = containerLogs(evidence, pods, hit.status.name);
  const results =
    tails.length > 0
      ? tails.map((t) => classifyCrash(term, waiting, t.lines))
      : [classifyCrash(term, waiting, [])];
  return results.find((r) => r.cause !== 'app_error' && r.cause !== 'unknown') ?? results[0]!;
}

/** What the dependency check found, as a clause: "Service db has no ready endpoints". */
export function dependencyState(dep: DependencyCheck | undefined): string {
  if (!dep) return 'it is not a Service of this namespace';
  if (dep.exists === null) return `Service ${dep.service} is in namespace ${dep.namespace}, not checked`;
  if (!dep.exists) return `Service ${dep.service} does not exist in namespace ${dep.namespace}`;
  return dep.readyEndpoints === 0
    ? `Service ${dep.service} has no ready endpoints (${dep.notReadyEndpoints ?? 0} not ready)`
    : `Service ${dep.service} has ${dep.readyEndpoints} ready endpoints`;
}

function describe(
  name: string,
  term: TerminationInfo,
  cause: CrashCauseResult,
  restarts: string,
  dep: DependencyCheck | undefined,
): string {
  const exit = term.exitCode === null ? 'keeps exiting' : `exits with code ${term.exitCode}`;
  switch (cause.cause) {
    case 'missing_env':
      return `${name} ${exit} because environment variable ${cause.envVar} is not set (${restarts}).`;
    case 'command_not_found':
      return `${name} cannot start: command ${cause.command ? `"${cause.command}" ` : ''}is not found in the image (${term.reason ?? 'exit code 127'}).`;
    case 'start_error':
      return `${name} fails to start (${term.reason}): ${cause.quote}.`;
    case 'dependency_unreachable':
      return `${name} ${exit} because it cannot reach ${cause.endpoint}: ${dependencyState(dep)} (${restarts}).`;
    case 'app_error':
      return `${name} ${exit} (${restarts}); its last error is "${cause.quote}".`;
    case 'unknown':
      return `${name} ${exit} (${restarts}) and its logs do not say why.`;
  }
}

/** Kubelet events about this container: liveness/startup kills and restart back-offs. */
function restartEvents(
  evidence: Evidence,
  pods: string[],
  name: string,
): { kills: EventSummary[]; backOff: EventSummary[] } {
  const events = relatedEvents(evidence, 'Pod', pods);
  return {
    kills: events.filter(
      (e) =>
        e.reason === 'Killing' &&
        /failed (liveness|startup) probe/.test(e.message) &&
        e.message.includes(`Container ${name} `),
    ),
    backOff: events.filter((e) => e.reason === 'BackOff' && e.message.includes(`container ${name} `)),
  };
}

function severityOf(hit: ContainerHit, cause: CrashCauseResult, killedByProbe: boolean): Finding['severity'] {
  // Restarts the liveness probe causes are the probe's finding; keep this one as a lower-severity symptom.
  if (killedByProbe) return 'warning';
  const looping = hit.status.state.waiting?.reason === 'CrashLoopBackOff' || hit.status.restartCount >= 3;
  return looping || cause.signal === 'explicit' ? 'critical' : 'warning';
}

function causeFacts(
  cause: CrashCauseResult,
  term: TerminationInfo,
  spec: ContainerSpec | undefined,
): Record<string, Fact> {
  return {
    cause: cause.cause,
    exitCode: term.exitCode,
    reason: term.reason,
    envVar: cause.envVar,
    envDeclared: cause.envVar && spec ? spec.envNames.includes(cause.envVar) : null,
    command: cause.command,
    endpoint: cause.endpoint,
  };
}

/** The dependency check for the endpoint a crash log names, matched by the endpoint text. */
function dependencyOf(evidence: Evidence, cause: CrashCauseResult): DependencyCheck | undefined {
  return cause.endpoint === null
    ? undefined
    : evidence.dependencies.find((d) => d.endpoint === cause.endpoint);
}

function dependencyFacts(dep: DependencyCheck | undefined): Record<string, Fact> {
  return {
    dependency: dep ? `${dep.namespace}/${dep.service}` : null,
    dependencyExists: dep?.exists ?? null,
    dependencyReadyEndpoints: dep?.readyEndpoints ?? null,
  };
}

function toFinding(evidence: Evidence, hits: ContainerHit[]): Finding {
  const first = [...hits].sort((a, b) => b.status.restartCount - a.status.restartCount)[0]!;
  const { name } = first.status;
  // The kubelet shows a failing init container as Init:Error / Init:CrashLoopBackOff: say which it is.
  const who = `${first.init ? 'Init container' : 'Container'} ${name}`;
  const podNames = distinct([first.pod.name, ...hits.map((h) => h.pod.name)]);
  const term = termination(first.status);
  const cause = crashCause(evidence, first, podNames);
  const { kills, backOff } = restartEvents(evidence, podNames, name);
  const waitingReason = first.status.state.waiting?.reason ?? null;
  const restarts = `${first.init && waitingReason ? 'Init:' : ''}${waitingReason ?? 'restarting'}, ${plural(first.status.restartCount, 'restart')}`;
  const dep = dependencyOf(evidence, cause);
  const spec = findContainer(workloadTemplate(evidence), name, first.init);
  const fromLogs = cause.signal === 'heuristic' && cause.quote !== null;
  const sources: Source[] = [
    'status',
    ...(fromLogs ? (['logs'] as const) : []),
    ...(kills.length + backOff.length > 0 ? (['events'] as const) : []),
  ];
  return makeFinding({
    analyzer: 'crashLoop',
    category: 'crash_loop',
    severity: severityOf(first, cause, kills.length > 0),
    message:
      kills.length > 0
        ? `${who} is restarted by its liveness probe (${restarts}).`
        : describe(who, term, cause, restarts, dep),
    container: name,
    facts: {
      ...causeFacts(cause, term, spec),
      ...dependencyFacts(dep),
      waitingReason,
      restartCount: first.status.restartCount,
      logLine: fromLogs ? cause.quote : null,
      killedByLiveness: kills.length > 0,
      pod: first.pod.name,
      pods: podNames.length,
      initContainer: first.init,
    },
    evidence: [
      first.status.state.waiting?.message,
      term.reason || term.exitCode !== null
        ? `lastState.terminated: ${term.reason ?? 'no reason'} (exit code ${term.exitCode})`
        : null,
      cause.quote,
      dep ? `${dependencyState(dep)} (named by the log line)` : null,
      ...kills.map((e) => e.message),
      ...backOff.map((e) => e.message),
    ],
    signal: cause.signal,
    sources,
  });
}

export const crashLoop: Analyzer = {
  name: 'crashLoop',
  category: 'crash_loop',
  analyze(evidence) {
    return containerHits(selectPods(evidence), isCrashing).map((group) => toFinding(evidence, group));
  },
};
