// Re-pointing traffic: a change that makes a Service reach another port, or other pods, is shown with the Service named.
import type { ServiceSummary } from '../domain/index.js';
import { asArray, asRecord, asString, deepEqual, getIn, type JsonRecord } from '../domain/json-access.js';
import type { Judgement, PolicyInput } from './policy-rule.js';
import { podSpec } from './pod-view.js';

interface DeclaredPort {
  container: string;
  name: string | null;
  containerPort: unknown;
  protocol: string;
}

/** Every port the regular containers declare (only those receive a Service's traffic). */
function declaredPorts(workload: unknown): DeclaredPort[] {
  return asArray(podSpec(workload).containers).flatMap((c) =>
    asArray(asRecord(c).ports).map((p) => {
      const r = asRecord(p);
      return {
        container: asString(asRecord(c).name) ?? '?',
        name: asString(r.name),
        containerPort: r.containerPort,
        protocol: asString(r.protocol) ?? 'TCP',
      };
    }),
  );
}

/** What a Service port reaches in the pod: the named port's number, or the number itself. */
function reached(targetPort: number | string, ports: DeclaredPort[]): string {
  if (typeof targetPort === 'number') {
    const p = ports.find((x) => x.containerPort === targetPort);
    return p
      ? `port ${targetPort} of container ${p.container}`
      : `port ${targetPort} (which no container declares)`;
  }
  const p = ports.find((x) => x.name === targetPort);
  return p
    ? `port ${String(p.containerPort)}/${p.protocol} of container ${p.container} (named ${targetPort})`
    : `nothing: no container declares a port named ${targetPort}`;
}

const labels = (workload: unknown): JsonRecord =>
  asRecord(getIn(workload, ['spec', 'template', 'metadata', 'labels']));

const selects = (svc: ServiceSummary, podLabels: JsonRecord): boolean =>
  Object.entries(svc.selector).every(([k, v]) => podLabels[k] === v);

/** Services the input names, or, when none were collected, a port change is still flagged (some Service may name it). */
function portChanges(input: PolicyInput, services: readonly ServiceSummary[]): string[] {
  const before = declaredPorts(input.live);
  const after = declaredPorts(input.proposed);
  if (deepEqual(before, after)) return [];
  const out: string[] = [];
  for (const svc of services) {
    for (const p of svc.ports) {
      const was = reached(p.targetPort, before);
      const now = reached(p.targetPort, after);
      if (was !== now) out.push(`Service ${svc.name} port ${p.port} would reach ${now} instead of ${was}`);
    }
  }
  if (out.length > 0) return out;
  const show = (ps: DeclaredPort[]) =>
    ps.map((p) => `${p.container}:${p.name ?? '-'}=${String(p.containerPort)}/${p.protocol}`).join(', ') ||
    'none';
  return [
    `container ports change to [${show(after)}] (were [${show(before)}]): a Service, probe or NetworkPolicy that names a port may reach another one`,
  ];
}

/** A Service that would stop selecting the pods, or start selecting them, sends its traffic elsewhere. */
function selection(input: PolicyInput, services: readonly ServiceSummary[]): string[] {
  const before = labels(input.live);
  const after = labels(input.proposed);
  if (deepEqual(before, after)) return [];
  return services
    .filter((svc) => selects(svc, before) && !selects(svc, after))
    .map(
      (svc) =>
        `Service ${svc.name} would no longer select these pods (its selector ${JSON.stringify(svc.selector)}): its traffic goes to other pods or nowhere`,
    );
}

/**
 * Port and label changes judged against the Services that select the workload (from the evidence). A
 * Service losing the pods is refused; a Service reaching another port, or any port change, is flagged.
 */
export function traffic(input: PolicyInput): Judgement {
  const services = input.services ?? [];
  return { violations: selection(input, services), flags: portChanges(input, services) };
}
