// Typed views of a pod template's parts (pod spec, containers of every kind) for the policy rules.
import { asArray, asNumber, asRecord, asString, getIn, type JsonRecord } from '../domain/json-access.js';

export interface ContainerView {
  /** `container app`, `init container setup`, `ephemeral container debug`: how messages name it. */
  label: string;
  name: string;
  spec: JsonRecord;
}

const CONTAINER_KINDS = [
  ['containers', 'container'],
  ['initContainers', 'init container'],
  ['ephemeralContainers', 'ephemeral container'],
] as const;

/** The pod template (`spec.template`) of a workload; {} when there is none. */
export function podTemplate(workload: unknown): JsonRecord {
  return asRecord(getIn(workload, ['spec', 'template']));
}

export function podSpec(workload: unknown): JsonRecord {
  return asRecord(getIn(workload, ['spec', 'template', 'spec']));
}

/** Every container of the pod spec: regular, init and ephemeral, in that order. */
export function allContainers(spec: JsonRecord): ContainerView[] {
  return CONTAINER_KINDS.flatMap(([field, kind]) =>
    asArray(spec[field]).map((c, i) => {
      const name = asString(asRecord(c).name) ?? `#${i}`;
      return { label: `${kind} ${name}`, name, spec: asRecord(c) };
    }),
  );
}

/** The containers of every kind, keyed `containers/app`, `initContainers/setup`, `ephemeralContainers/debug`. */
export function containersByKey(spec: JsonRecord): Map<string, JsonRecord> {
  const out = new Map<string, JsonRecord>();
  for (const [field] of CONTAINER_KINDS) {
    for (const c of asArray(spec[field])) {
      const name = asString(asRecord(c).name);
      if (name !== null) out.set(`${field}/${name}`, asRecord(c));
    }
  }
  return out;
}

/** `container app`, `init container setup`: how messages name a container of `containersByKey`. */
export function containerLabel(key: string): string {
  const field = key.slice(0, key.indexOf('/'));
  const kind = CONTAINER_KINDS.find(([f]) => f === field)?.[1] ?? 'container';
  return `${kind} ${key.slice(key.indexOf('/') + 1)}`;
}

/** How many pods the workload runs: a DaemonSet one per matching node (its status says how many), others spec.replicas (default 1). */
export function replicaCount(workload: unknown): number {
  return asRecord(workload).kind === 'DaemonSet'
    ? (asNumber(getIn(workload, ['status', 'desiredNumberScheduled'])) ?? 1)
    : (asNumber(getIn(workload, ['spec', 'replicas'])) ?? 1);
}
