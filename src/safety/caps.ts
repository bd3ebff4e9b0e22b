// Caps: the replicas, CPU/memory and image registries a change sets stay within the configured limits.
import { formatBytes, formatCpu, parseQuantity } from '../domain/index.js';
import { asArray, asRecord, asString, deepEqual, getIn, type JsonRecord } from '../domain/json-access.js';
import { parseImage, registryAllows } from './parse-image.js';
import type { Judgement, PolicyConfig, PolicyInput } from './policy-rule.js';
import { restoresRevision } from './restores-revision.js';
import { allContainers, containerLabel, containersByKey, podSpec, replicaCount } from './pod-view.js';

// Caps judge what the change sets: values already live are grandfathered, so a workload above a cap
// can still get an unrelated fix, but the agent never raises anything past one.

/**
 * Below these a value is a unit mistake, not a size: `512` memory is 512 bytes, `100m` memory is a tenth
 * of a byte, and a container under 4 MiB or 10 millicores is killed or throttled before it serves.
 */
export const MIN_MEMORY_BYTES = 4 * 2 ** 20;
export const MIN_CPU_CORES = 0.01;

const RESOURCES = [
  {
    name: 'memory',
    max: (p: PolicyConfig) => p.maxMemoryBytes,
    total: (p: PolicyConfig) => p.maxTotalMemoryBytes,
    min: MIN_MEMORY_BYTES,
    fmt: formatBytes,
    env: 'AUTOFIX_MAX_MEMORY',
    totalEnv: 'AUTOFIX_MAX_TOTAL_MEMORY',
  },
  {
    name: 'cpu',
    max: (p: PolicyConfig) => p.maxCpuCores,
    total: (p: PolicyConfig) => p.maxTotalCpuCores,
    min: MIN_CPU_CORES,
    fmt: formatCpu,
    env: 'AUTOFIX_MAX_CPU',
    totalEnv: 'AUTOFIX_MAX_TOTAL_CPU',
  },
] as const;

type Resource = (typeof RESOURCES)[number];

/** What a parsed value is in words a person checks a unit by: `0.5 bytes`, `1.5 millicores`. */
function inUnits(r: Resource, q: number): string {
  return r.name === 'memory' ? `${q} bytes` : `${Math.round(q * 1e6) / 1e3} millicores`;
}

/** A value the API accepts that is not a size anyone means: fractional bytes, or below the floor. */
function unitMistake(who: string, r: Resource, word: string, raw: unknown, q: number): string | null {
  if (r.name === 'memory' && !Number.isInteger(q))
    return `${who}: memory ${word} ${String(raw)} is ${inUnits(r, q)}: memory is counted in whole bytes (\`m\` means thousandths); write it with Mi or Gi`;
  if (q > 0 && q < r.min)
    return `${who}: ${r.name} ${word} ${String(raw)} is ${inUnits(r, q)}, below the floor of ${r.fmt(r.min)}: the container could not run on it; check the unit`;
  return null;
}

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
      const mistake = q === null ? null : unitMistake(who, r, word, after, q);
      if (mistake) out.push(mistake);
      else if (q !== null && q > r.max(policy))
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

const amount = (c: JsonRecord, kind: string, name: string): number => {
  const v = res(c, kind, name);
  const q = typeof v === 'string' || typeof v === 'number' ? parseQuantity(v) : null;
  return q !== null && q > 0 ? q : 0;
};

/**
 * What one pod asks for, as the scheduler counts it: the regular containers and restartable (sidecar)
 * init containers together, or the largest other init container if that is more. Unset counts as 0.
 */
export function podAmount(spec: JsonRecord, kind: 'limits' | 'requests', name: string): number {
  const init = asArray(spec.initContainers).map(asRecord);
  const sidecar = (c: JsonRecord) => c.restartPolicy === 'Always';
  const running = [...asArray(spec.containers).map(asRecord), ...init.filter(sidecar)];
  const sum = running.reduce((n, c) => n + amount(c, kind, name), 0);
  return Math.max(sum, ...init.filter((c) => !sidecar(c)).map((c) => amount(c, kind, name)));
}

/** The workload's total (replicas × one pod) may not be raised past the total cap, whichever value raised it. */
function totals({ live, proposed, policy }: PolicyInput): string[] {
  const out: string[] = [];
  const n = replicaCount(proposed);
  for (const r of RESOURCES) {
    for (const kind of ['requests', 'limits'] as const) {
      const before = replicaCount(live) * podAmount(podSpec(live), kind, r.name);
      const pod = podAmount(podSpec(proposed), kind, r.name);
      const after = n * pod;
      if (after > r.total(policy) && after > before)
        out.push(
          `the workload's total ${r.name} ${kind} would be ${n} × ${r.fmt(pod)} = ${r.fmt(after)}, above the maximum of ${r.fmt(r.total(policy))} (${r.totalEnv})`,
        );
    }
  }
  return out;
}

const CUT: Record<string, string> = {
  memory: 'if it uses more it is OOM-killed',
  cpu: 'it is throttled sooner',
};

/**
 * Limits lowered (not restoring an earlier revision): the container may be OOM-killed, throttled or
 * evicted at a size it ran at before. The engines raise limits; a cut is for a person to read.
 */
export function capacityCuts({ live, proposed, previousTemplates }: PolicyInput): Judgement {
  const out: Judgement = { violations: [], flags: [] };
  if (restoresRevision(proposed, previousTemplates)) return out;
  const before = containersByKey(podSpec(live));
  for (const [key, c] of containersByKey(podSpec(proposed))) {
    const lb = asRecord(getIn(before.get(key), ['resources', 'limits']));
    const la = asRecord(getIn(c, ['resources', 'limits']));
    for (const name of Object.keys(lb).sort()) {
      const b = typeof lb[name] === 'string' || typeof lb[name] === 'number' ? parseQuantity(lb[name]) : null;
      const a = typeof la[name] === 'string' || typeof la[name] === 'number' ? parseQuantity(la[name]) : null;
      if (b === null || a === null || a <= 0 || a >= b) continue;
      out.flags.push(
        `${containerLabel(key)}: the ${name} limit is lowered from ${String(lb[name])} to ${String(la[name])}: ${CUT[name] ?? 'it is evicted sooner'}`,
      );
    }
  }
  return out;
}

/** Replicas, then per-container resources, then the workload's totals, then images. */
export function caps(input: PolicyInput): string[] {
  return [...replicas(input), ...resources(input), ...totals(input), ...registries(input)];
}
