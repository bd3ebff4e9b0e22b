// Typed view of a workload's pod template (containers, ports, probes, resources, scheduling) from raw JSON.
import type { Evidence, KubeObject } from '../../domain/index.js';
import { asArray, asNumber, asRecord, asString, asStringMap, getIn } from '../../domain/json-access.js';

export type ProbeKind = 'readiness' | 'liveness' | 'startup';
export type ProbeHandler = 'httpGet' | 'tcpSocket' | 'grpc' | 'exec' | 'none';

export interface PortSpec {
  name: string | null;
  containerPort: number;
  protocol: string;
}

export interface ProbeSpec {
  kind: ProbeKind;
  handler: ProbeHandler;
  /** Numeric or named port of httpGet/tcpSocket/grpc; null for exec. */
  port: number | string | null;
  path: string | null;
  /** JSON Pointer of the port field, for patches. */
  portPointer: string | null;
  /** JSON Pointer of the probe itself, e.g. `/spec/template/spec/containers/0/startupProbe`. */
  pointer: string;
  /** As stored; the API server defaults them to 10 and 3. */
  periodSeconds: number;
  failureThreshold: number;
}

export interface ContainerSpec {
  name: string;
  image: string;
  init: boolean;
  /** JSON Pointer of the container inside the workload, e.g. `/spec/template/spec/containers/0`. */
  pointer: string;
  limits: Record<string, string>;
  requests: Record<string, string>;
  ports: PortSpec[];
  probes: ProbeSpec[];
  envNames: string[];
  hasEnvFrom: boolean;
}

export interface Toleration {
  key: string | null;
  operator: string;
  value: string | null;
  effect: string | null;
}

export interface PodTemplateView {
  containers: ContainerSpec[];
  initContainers: ContainerSpec[];
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  hasAffinity: boolean;
}

const PROBE_FIELDS: Record<ProbeKind, string> = {
  readiness: 'readinessProbe',
  liveness: 'livenessProbe',
  startup: 'startupProbe',
};

function readProbe(kind: ProbeKind, raw: unknown, containerPointer: string): ProbeSpec | null {
  const probe = asRecord(raw);
  if (Object.keys(probe).length === 0) return null;
  const base = `${containerPointer}/${PROBE_FIELDS[kind]}`;
  const timing = {
    pointer: base,
    periodSeconds: asNumber(probe.periodSeconds) ?? 10,
    failureThreshold: asNumber(probe.failureThreshold) ?? 3,
  };
  for (const handler of ['httpGet', 'tcpSocket', 'grpc'] as const) {
    if (handler in probe) {
      const h = asRecord(probe[handler]);
      const port = asNumber(h.port) ?? asString(h.port);
      return {
        kind,
        handler,
        port,
        path: asString(h.path),
        portPointer: `${base}/${handler}/port`,
        ...timing,
      };
    }
  }
  const handler: ProbeHandler = 'exec' in probe ? 'exec' : 'none';
  return { kind, handler, port: null, path: null, portPointer: null, ...timing };
}

function readPorts(raw: unknown): PortSpec[] {
  return asArray(raw).flatMap((p) => {
    const port = asNumber(asRecord(p).containerPort);
    if (port === null) return [];
    return [
      {
        name: asString(asRecord(p).name),
        containerPort: port,
        protocol: asString(asRecord(p).protocol) ?? 'TCP',
      },
    ];
  });
}

function readContainer(raw: unknown, index: number, init: boolean, podSpecPointer: string): ContainerSpec {
  const c = asRecord(raw);
  const pointer = `${podSpecPointer}/${init ? 'initContainers' : 'containers'}/${index}`;
  const probes = (Object.keys(PROBE_FIELDS) as ProbeKind[])
    .map((kind) => readProbe(kind, c[PROBE_FIELDS[kind]], pointer))
    .filter((p): p is ProbeSpec => p !== null);
  return {
    name: asString(c.name) ?? `#${index}`,
    image: asString(c.image) ?? '',
    init,
    pointer,
    limits: asStringMap(getIn(c, ['resources', 'limits'])),
    requests: asStringMap(getIn(c, ['resources', 'requests'])),
    ports: readPorts(c.ports),
    probes,
    envNames: asArray(c.env).flatMap((e) => asString(asRecord(e).name) ?? []),
    hasEnvFrom: asArray(c.envFrom).length > 0,
  };
}

/** Reads a pod template (`{metadata, spec}`); `pointer` is where it sits in the workload. */
export function podTemplate(template: unknown, pointer = '/spec/template'): PodTemplateView {
  const spec = asRecord(getIn(template, ['spec']));
  const specPointer = `${pointer}/spec`;
  return {
    containers: asArray(spec.containers).map((c, i) => readContainer(c, i, false, specPointer)),
    initContainers: asArray(spec.initContainers).map((c, i) => readContainer(c, i, true, specPointer)),
    nodeSelector: asStringMap(spec.nodeSelector),
    tolerations: asArray(spec.tolerations).map((t) => ({
      key: asString(asRecord(t).key),
      operator: asString(asRecord(t).operator) ?? 'Equal',
      value: asString(asRecord(t).value),
      effect: asString(asRecord(t).effect),
    })),
    hasAffinity: Object.keys(asRecord(spec.affinity)).length > 0,
  };
}

/** The live workload's pod template (what a patch on `/spec/template/...` changes). */
export function workloadTemplate(evidence: Evidence): PodTemplateView {
  return podTemplate(getIn(evidence.workload, ['spec', 'template']));
}

export function findContainer(view: PodTemplateView, name: string, init = false): ContainerSpec | undefined {
  return (init ? view.initContainers : view.containers).find((c) => c.name === name);
}

/**
 * `spec.replicas` of the workload (the API server defaults it to 1); for a DaemonSet, the number of
 * nodes the controller wants a pod on (`status.desiredNumberScheduled`).
 */
export function desiredReplicas(workload: KubeObject): number {
  if (workload.kind === 'DaemonSet')
    return asNumber(getIn(workload, ['status', 'desiredNumberScheduled'])) ?? 0;
  return asNumber(getIn(workload, ['spec', 'replicas'])) ?? 1;
}

/** A probe's port as a number, resolving a named port against the container's declared ports. */
export function resolveProbePort(probe: ProbeSpec, container: ContainerSpec): number | null {
  if (typeof probe.port === 'number') return probe.port;
  if (typeof probe.port === 'string') {
    if (/^\d+$/.test(probe.port)) return Number(probe.port);
    return container.ports.find((p) => p.name === probe.port)?.containerPort ?? null;
  }
  return null;
}
