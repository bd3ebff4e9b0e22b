// probe_failure: Unhealthy probe events and Running-but-not-Ready pods, with the probe's port checked against declared ports.
import type { EventSummary, Finding, PodSummary } from '../../domain/index.js';
import type { Analyzer } from './analyzer.js';
import { distinct } from './container-hits.js';
import { makeFinding, plural, type Source } from './make-finding.js';
import {
  resolveProbePort,
  workloadTemplate,
  type ContainerSpec,
  type PodTemplateView,
  type ProbeKind,
  type ProbeSpec,
} from './pod-template.js';
import { relatedEvents } from './related-evidence.js';
import { selectPods } from './select-pods.js';

const PROBE_EVENT = /^(Readiness|Liveness|Startup) probe (?:failed|errored):/;

export interface PortCheck {
  /** null when it cannot be judged (exec probe, or the container declares no ports). */
  mismatch: boolean | null;
  /** The declared port the probe should use, when exactly one candidate is plausible. */
  suggested: number | string | null;
}

/** Compares the probe's port (numeric or named) with the container's declared ports. */
export function checkProbePort(probe: ProbeSpec, container: ContainerSpec): PortCheck {
  if (probe.port === null || container.ports.length === 0) return { mismatch: null, suggested: null };
  const declared = container.ports;
  const matches =
    typeof probe.port === 'number' || /^\d+$/.test(probe.port)
      ? declared.some((p) => p.containerPort === Number(probe.port))
      : declared.some((p) => p.name === probe.port);
  if (matches) return { mismatch: false, suggested: null };
  // With several ports, only a name that says what it serves makes the choice deterministic.
  const wanted = probe.handler === 'grpc' ? /grpc/i : /http|health|web/i;
  const candidates = declared.length === 1 ? declared : declared.filter((p) => p.name && wanted.test(p.name));
  const pick = candidates.length === 1 ? candidates[0]! : null;
  if (!pick) return { mismatch: true, suggested: null };
  const suggested = typeof probe.port === 'string' && pick.name ? pick.name : pick.containerPort;
  return { mismatch: true, suggested };
}

function failureKind(message: string): { kind: string; statusCode: number | null } {
  const status = /statuscode: (\d+)/i.exec(message);
  if (status) return { kind: 'http_status', statusCode: Number(status[1]) };
  if (/connection refused/i.test(message)) return { kind: 'connection_refused', statusCode: null };
  if (/deadline exceeded|timeout|timed out/i.test(message)) return { kind: 'timeout', statusCode: null };
  return { kind: 'other', statusCode: null };
}

/** How the kubelet names each probe in its events (`Readiness probe failed: …`). */
export const KIND_WORD: Record<ProbeKind, string> = {
  readiness: 'Readiness',
  liveness: 'Liveness',
  startup: 'Startup',
};

/** Events of this probe kind that belong to this container (by port or path when several containers probe). */
function probeEvents(
  events: EventSummary[],
  probe: ProbeSpec,
  container: ContainerSpec,
  view: PodTemplateView,
): EventSummary[] {
  const ofKind = events.filter((e) => e.message.startsWith(`${KIND_WORD[probe.kind]} probe`));
  const sharing = view.containers.filter((c) => c.probes.some((p) => p.kind === probe.kind));
  if (sharing.length <= 1) return ofKind;
  const port = resolveProbePort(probe, container);
  return ofKind.filter(
    (e) =>
      (port !== null && new RegExp(`:${port}(?!\\d)`).test(e.message)) ||
      (probe.path !== null && probe.path.length > 1 && e.message.includes(probe.path)),
  );
}

function notReadyPods(pods: PodSummary[], name: string): string[] {
  return pods
    .filter((p) => p.containers.some((c) => c.name === name && c.state.running && !c.ready))
    .map((p) => p.name);
}

interface ProbeContext {
  pods: PodSummary[];
  events: EventSummary[];
  view: PodTemplateView;
}

function describe(
  probe: ProbeSpec,
  name: string,
  failure: string,
  check: PortCheck,
  declared: string,
): string {
  const target = `${probe.handler}${probe.port === null ? '' : ` port ${probe.port}`}${probe.path ? ` path ${probe.path}` : ''}`;
  const base = `${KIND_WORD[probe.kind]} probe of container ${name} fails (${failure}) on ${target}`;
  return check.mismatch
    ? `${base}, which the container does not declare (it declares ${declared}).`
    : `${base}.`;
}

function probeFinding(ctx: ProbeContext, container: ContainerSpec, probe: ProbeSpec): Finding | null {
  const events = probeEvents(ctx.events, probe, container, ctx.view);
  const check = checkProbePort(probe, container);
  const notReady = probe.kind === 'readiness' ? notReadyPods(ctx.pods, container.name) : [];
  const kills = ctx.events.filter(
    (e) =>
      e.reason === 'Killing' && e.message.includes(`Container ${container.name} failed ${probe.kind} probe`),
  );
  if (events.length === 0 && !(check.mismatch && (notReady.length > 0 || kills.length > 0))) return null;
  const { kind, statusCode } = failureKind(events[0]?.message ?? '');
  const declared = container.ports
    .map((p) => `${p.name ? `${p.name}:` : ''}${p.containerPort}/${p.protocol}`)
    .join(',');
  const sources: Source[] = ['spec'];
  if (events.length + kills.length > 0) sources.push('events');
  if (notReady.length > 0) sources.push('status');
  return makeFinding({
    analyzer: 'probeFailure',
    category: 'probe_failure',
    severity: notReady.length > 0 || kills.length > 0 || probe.kind === 'startup' ? 'critical' : 'warning',
    message: describe(probe, container.name, kind.replace('_', ' '), check, declared || 'no ports'),
    container: container.name,
    facts: {
      probe: probe.kind,
      handler: probe.handler,
      probePort: probe.port,
      probePath: probe.path,
      declaredPorts: declared || null,
      portMismatch: check.mismatch,
      suggestedPort: check.suggested,
      failureKind: kind,
      statusCode,
      notReadyPods: notReady.length,
      restartsByProbe: kills.reduce((n, e) => n + e.count, 0),
      eventCount: events.reduce((n, e) => n + e.count, 0),
      periodSeconds: probe.periodSeconds,
      failureThreshold: probe.failureThreshold,
      // How long the kubelet lets the probe fail before acting (for a startup probe: the start-up budget).
      budgetSeconds: probe.periodSeconds * probe.failureThreshold,
    },
    evidence: [
      ...events.map((e) => `${e.message} (x${e.count})`),
      ...kills.map((e) => e.message),
      notReady.length > 0
        ? `${plural(notReady.length, 'pod')} Running but not Ready: ${notReady.join(', ')}`
        : null,
    ],
    signal: events.length > 0 ? 'explicit' : 'inferred',
    sources,
  });
}

export const probeFailure: Analyzer = {
  name: 'probeFailure',
  category: 'probe_failure',
  analyze(evidence) {
    const pods = selectPods(evidence);
    const events = relatedEvents(evidence, 'Pod', distinct(pods.map((p) => p.name))).filter(
      (e) => (e.reason === 'Unhealthy' && PROBE_EVENT.test(e.message)) || e.reason === 'Killing',
    );
    const ctx: ProbeContext = { pods, events, view: workloadTemplate(evidence) };
    return ctx.view.containers.flatMap((c) => c.probes.flatMap((p) => probeFinding(ctx, c, p) ?? []));
  },
};
