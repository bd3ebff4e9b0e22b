// Caps: the replicas, CPU/memory and image registries a change sets stay within the configured limits.
import { formatBytes, formatCpu, parseQuantity } from '../domain/index.js';
import { asRecord, asString, deepEqual, getIn, type JsonRecord } from '../domain/json-access.js';
import { parseImage, registryAllows } from './parse-image.js';
import type { PolicyConfig, PolicyInput } from './policy-rule.js';
import { allContainers, containerLabel, containersByKey, podSpec } from './pod-view.js';

// Caps judge what the change sets: values already live are grandfathered, so a workload above a cap
// can still get an unrelated fix, but the agent never raises anything past one.

const RESOURCES = [
  { name: 'memory', max: (p: PolicyConfig) => p.maxMemoryBytes, fmt: formatBytes, env: 'AUTOFIX_MAX_MEMORY' },
  { name: 'cpu', max: (p: PolicyConfig) => p.maxCpuCores, fmt: formatCpu, env: 'AUTOFIX_MAX_CPU' },
] as const;

function replicas({ live, proposed, policy }: PolicyInput): string[] {
  // An absent replicas field means 1, as the API server defaults it.
  const before = getIn(live, ['spec', 'replicas']) ?? 1;
  const after = getIn(proposed, ['spec', 'replicas']) ?? 1;
  if (deepEqual(before, after)) return [];
  if (typeof after !== 'number' || !Number.isInteger(after))
    return [`spec.replicas must be a whole number, not ${JSON.stringify(after)}`];
  if (after > policy.maxReplicas)
    return [`spec.replicas ${after} is above the maximum of ${policy.maxReplicas} (AUTOFIX_MAX_REPLICAS)`];
  if (after < 1 && before !== 0)
    return [`spec.replicas must be at least 1; scaling to ${after} would take the workload down`];
  return [];
}

const res = (from: JsonRecord | undefined, kind: string, name: string): unknown =>
  getIn(from, ['resources', kind, name]);

/** A removed limit or request, or a limit of 0 (which Kubernetes reads as "no limit"), escapes every cap. */
function removalOrZero(
  who: string,
  name: string,
  before: unknown,
  after: unknown,
  kind: string,
): string | null {
  const word = kind === 'limits' ? 'limit' : 'request';
  if (after === undefined || after === null) {
    return before === undefined || before === null
      ? null
      : `${who}: the ${name} ${word} (${String(before)}) must not be removed`;
  }
  const q = typeof after === 'string' || typeof after === 'number' ? parseQuantity(after) : null;
  if (q === null) return `${who}: ${name} ${word} ${JSON.stringify(after)} is not a valid quantity`;
  if (q < 0) return `${who}: ${name} ${word} ${String(after)} is negative`;
  if (q === 0 && kind === 'limits')
    return `${who}: a ${name} limit of ${String(after)} means no limit at all, which is above any cap`;
  return null;
}

function capped(who: string, live: JsonRecord | undefined, c: JsonRecord, policy: PolicyConfig): string[] {
  const out: string[] = [];
  for (const r of RESOURCES) {
    const changed = ['limits', 'requests'].some((k) => !deepEqual(res(live, k, r.name), res(c, k, r.name)));
    if (!changed) continue;
    const parsed: Record<string, number | null> = {};
    for (const kind of ['limits', 'requests'] as const) {
      const word = kind === 'limits' ? 'limit' : 'request';
      const after = res(c, kind, r.name);
      const problem = removalOrZero(who, r.name, res(live, kind, r.name), after, kind);
      if (problem) out.push(problem);
      if (problem || after === undefined || after === null) continue;
      const q = parseQuantity(after as string | number);
      parsed[kind] = q;
      if (q !== null && q > r.max(policy))
        out.push(
          `${who}: ${r.name} ${word} ${String(after)} is above the maximum of ${r.fmt(r.max(policy))} (${r.env})`,
        );
    }
    const { limits, requests } = parsed;
    if (typeof limits === 'number' && typeof requests === 'number' && requests > limits) {
      out.push(
        `${who}: ${r.name} request ${String(res(c, 'requests', r.name))} is above its limit ${String(res(c, 'limits', r.name))}`,
      );
    }
  }
  return out;
}

/**
 * Resources with no configured cap (GPUs and other extended resources, hugepages, ephemeral storage,
 * claims): a change may keep or lower them, never add or raise them; a human decides those.
 */
function uncapped(who: string, live: JsonRecord | undefined, c: JsonRecord): string[] {
  const out: string[] = [];
  const lr = asRecord(live?.resources);
  const cr = asRecord(c.resources);
  for (const field of Object.keys(cr)) {
    if (field !== 'limits' && field !== 'requests' && !deepEqual(lr[field], cr[field]))
      out.push(`${who}: resources.${field} must not change; only limits and requests of cpu and memory may`);
  }
  for (const kind of ['limits', 'requests'] as const) {
    const names = new Set([...Object.keys(asRecord(lr[kind])), ...Object.keys(asRecord(cr[kind]))]);
    for (const name of [...names].sort()) {
      if (name === 'cpu' || name === 'memory') continue;
      const before = res(live, kind, name);
      const after = res(c, kind, name);
      if (deepEqual(before, after)) continue;
      const word = kind === 'limits' ? 'limit' : 'request';
      const problem = removalOrZero(who, name, before, after, kind);
      if (problem) out.push(problem);
      if (problem || after === undefined || after === null) continue;
      const b = typeof before === 'string' || typeof before === 'number' ? parseQuantity(before) : null;
      const a = parseQuantity(after as string | number);
      if (b === null || (a !== null && a > b))
        out.push(
          `${who}: ${name} ${word} ${String(after)} would ${b === null ? 'add' : 'raise'} a resource that has no cap; a human must decide it`,
        );
    }
  }
  return out;
}

function resources({ live, proposed, policy }: PolicyInput): string[] {
  const before = containersByKey(podSpec(live));
  return [...containersByKey(podSpec(proposed))].flatMap(([key, c]) => {
    const who = containerLabel(key);
    return [...capped(who, before.get(key), c, policy), ...uncapped(who, before.get(key), c)];
  });
}

function registries({ live, proposed, policy }: PolicyInput): string[] {
  const liveImages = new Map(allContainers(podSpec(live)).map((c) => [c.label, c.spec.image]));
  const out: string[] = [];
  for (const c of allContainers(podSpec(proposed))) {
    if (deepEqual(liveImages.get(c.label), c.spec.image)) continue;
    const image = asString(c.spec.image);
    const ref = image === null ? null : parseImage(image);
    if (image === null || ref === null) {
      out.push(`${c.label}: image ${JSON.stringify(c.spec.image ?? null)} is not a valid image reference`);
    } else if (
      policy.allowedRegistries.length > 0 &&
      !policy.allowedRegistries.some((e) => registryAllows(e, ref))
    ) {
      out.push(
        `${c.label}: image ${image} comes from ${ref.registry}, which is not an allowed registry (${policy.allowedRegistries.join(', ')})`,
      );
    }
  }
  return out;
}

/** Replicas, then per-container resources, then images. */
export function caps(input: PolicyInput): string[] {
  return [...replicas(input), ...resources(input), ...registries(input)];
}
