// Groups matching container statuses across pods, so one finding covers a container in all its pods.
import type { ContainerStatus, PodSummary } from '../../domain/index.js';

export interface ContainerHit {
  pod: PodSummary;
  status: ContainerStatus;
  init: boolean;
}

/** Hits keyed by container (init containers apart); each group lists the pods in which it matched. */
export function containerHits(
  pods: PodSummary[],
  match: (status: ContainerStatus, pod: PodSummary) => boolean,
): ContainerHit[][] {
  const groups = new Map<string, ContainerHit[]>();
  for (const pod of pods) {
    const all = [
      ...pod.initContainers.map((status) => ({ status, init: true })),
      ...pod.containers.map((status) => ({ status, init: false })),
    ];
    for (const { status, init } of all) {
      if (!match(status, pod)) continue;
      const key = `${init ? 'init:' : ''}${status.name}`;
      const group = groups.get(key) ?? [];
      group.push({ pod, status, init });
      groups.set(key, group);
    }
  }
  return [...groups.values()];
}

/** Distinct non-empty strings in first-seen order. */
export function distinct(values: Array<string | null | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length > 0))];
}
