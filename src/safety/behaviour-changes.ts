// Behaviour changes: what a container runs, with which variables, where, and on which hooks. Each change is a flag an
// approver reads in full; variables that load code or send traffic elsewhere, and sources whose names nobody sees, are refused.
import {
  asArray,
  asRecord,
  asString,
  deepEqual,
  getIn,
  isRecord,
  type JsonRecord,
} from '../domain/json-access.js';
import { hostsIn, inNamespace } from './destinations.js';
import { parseImage } from './parse-image.js';
import type { Judgement, PolicyInput } from './policy-rule.js';
import { containerLabel, containersByKey, podSpec } from './pod-view.js';
import { restoresRevision } from './restores-revision.js';
import { runtimeVariableFamily } from './runtime-variables.js';

/** Beyond this a value could not be shown whole in one Slack section, so the change is refused instead. */
export const MAX_FLAGGED_VALUE = 2000;

/** All flags together stay within what one Slack message can show whole. */
export const MAX_FLAGGED_TOTAL = 6000;

/** An earlier value is quoted in a flag only up to this; the new value is always shown whole. */
const MAX_OLD_VALUE = 200;

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const HOOKS = ['postStart', 'preStop'] as const;

const json = (v: unknown): string => JSON.stringify(v) ?? 'null';

function was(v: unknown): string {
  if (v === undefined || v === null) return 'was unset';
  const s = typeof v === 'string' && v.startsWith('from ') ? v : json(v);
  return s.length > MAX_OLD_VALUE ? `was a value of ${s.length} characters` : `was ${s}`;
}

/** How a variable gets its value, in words: a literal, a ConfigMap or Secret key, a pod field. */
function source(e: JsonRecord): string {
  const from = asRecord(e.valueFrom);
  const ref = (kind: string, r: unknown) =>
    `from ${kind} ${String(asRecord(r).name ?? '?')} key ${String(asRecord(r).key ?? '?')}${asRecord(r).optional === true ? ' (optional)' : ''}`;
  if (isRecord(from.configMapKeyRef)) return ref('ConfigMap', from.configMapKeyRef);
  if (isRecord(from.secretKeyRef)) return ref('Secret', from.secretKeyRef);
  if (isRecord(from.fieldRef)) return `from the pod's ${String(asRecord(from.fieldRef).fieldPath ?? '?')}`;
  if (isRecord(from.resourceFieldRef))
    return `from the container's ${String(asRecord(from.resourceFieldRef).resource ?? '?')}`;
  if (e.valueFrom !== undefined) return `from ${json(e.valueFrom)}`;
  return json(e.value ?? '');
}

/** The variables a container ends up with, by name: the last entry of a repeated name wins, as in the kubelet. */
function effectiveEnv(c: JsonRecord | undefined): Map<string, JsonRecord> {
  const out = new Map<string, JsonRecord>();
  for (const e of asArray(c?.env).map(asRecord)) out.set(String(e.name), e);
  return out;
}

/** Variables a shell or `env` line sets inside a command: `NAME=…`, `export NAME`, `setenv NAME …`. */
const ASSIGNMENT =
  /(?:^|[\s;&|('"`])(?:(?:export|declare\s+-x|typeset\s+-x|readonly)\s+)?([A-Za-z_][A-Za-z0-9_]*)=|\b(?:export|setenv)\s+([A-Za-z_][A-Za-z0-9_]*)/g;

function assignedVariables(texts: readonly string[]): string[] {
  return texts.flatMap((t) => [...t.matchAll(ASSIGNMENT)].map((m) => m[1] ?? m[2]!));
}

const strings = (v: unknown): string[] => asArray(v).filter((x): x is string => typeof x === 'string');

/** Every host a workload's templates already point at: where it already sends traffic. */
function knownHosts(templates: readonly unknown[]): Set<string> {
  const out = new Set<string>();
  for (const t of templates) {
    for (const c of containersByKey(asRecord(getIn(t, ['spec']))).values()) {
      for (const e of asArray(c.env).map(asRecord))
        if (typeof e.value === 'string') for (const h of hostsIn(e.value, String(e.name))) out.add(h);
      for (const s of [...strings(c.command), ...strings(c.args)]) for (const h of hostsIn(s)) out.add(h);
    }
  }
  return out;
}

interface Ctx {
  who: string;
  out: Judgement;
  namespace: string;
  known: Set<string>;
}

/** A new value is shown whole, or the change is refused: an approver cannot read what does not fit. */
function flag(ctx: Ctx, subject: string, verb: string, value: unknown, before?: unknown): void {
  flagShown(ctx, subject, verb, json(value), before);
}

function flagShown(ctx: Ctx, subject: string, verb: string, shown: string, before?: unknown): void {
  // The quotes and brackets of the JSON form do not count: a value as long as visible-text allows is shown.
  if (shown.length > MAX_FLAGGED_VALUE + 2) {
    ctx.out.violations.push(
      `${ctx.who}: the new ${subject} is ${shown.length} characters long, too long to show an approver in full (at most ${MAX_FLAGGED_VALUE})`,
    );
    return;
  }
  ctx.out.flags.push(
    `${ctx.who}: ${subject} ${verb} ${shown}${before === undefined ? '' : ` (${was(before)})`}`,
  );
}

function refuseVariable(ctx: Ctx, name: string, where: string): boolean {
  const family = runtimeVariableFamily(name);
  if (family === null) return false;
  ctx.out.violations.push(
    `${ctx.who}: ${where} ${name} ${family.does} (${family.id} variables); a change may not set it, a person must`,
  );
  return true;
}

/** `where` names the place (`env UPSTREAM_URL`, `args`); `name` is the variable whose name may say it holds a host. */
function newDestinations(ctx: Ctx, where: string, texts: readonly string[], name = ''): void {
  const hosts = [...new Set(texts.flatMap((t) => hostsIn(t, name)))].filter(
    (h) => !inNamespace(h, ctx.namespace) && !ctx.known.has(h),
  );
  if (hosts.length > 0)
    ctx.out.violations.push(
      `${ctx.who}: ${where} would send traffic to ${hosts.join(', ')}, which is outside the namespace and which neither the workload nor an earlier revision talks to; a person must decide that`,
    );
}

function envChanges(ctx: Ctx, before: JsonRecord | undefined, after: JsonRecord): void {
  const b = effectiveEnv(before);
  const a = effectiveEnv(after);
  let named = false;
  for (const name of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const was0 = b.get(name);
    const now = a.get(name);
    if (deepEqual(was0, now)) continue;
    named = true;
    if (now === undefined) {
      ctx.out.flags.push(`${ctx.who}: env ${name} is removed (was ${source(was0!)})`);
      continue;
    }
    if (refuseVariable(ctx, name, 'env')) continue;
    if (typeof now.value === 'string') newDestinations(ctx, `env ${name}`, [now.value], name);
    const old =
      was0 === undefined ? undefined : was0.valueFrom === undefined ? (was0.value ?? '') : source(was0);
    flagShown(ctx, `env ${name}`, was0 === undefined ? 'is added:' : 'changes to', source(now), old);
  }
  // Same variables, other entries: the order decides which of a repeated name wins and what $(VAR) expands to.
  if (!named && !deepEqual(asArray(before?.env), asArray(after.env)))
    ctx.out.flags.push(
      `${ctx.who}: env entries are reordered or repeated; the last of a repeated name wins and $(NAME) only expands names listed before it`,
    );
}

function envFromChanges(ctx: Ctx, before: JsonRecord | undefined, after: JsonRecord): void {
  const b = asArray(before?.envFrom);
  const a = asArray(after.envFrom);
  if (deepEqual(b, a)) return;
  const describe = (e: unknown): string => {
    const r = asRecord(e);
    const ref = isRecord(r.configMapRef)
      ? `ConfigMap ${String(r.configMapRef.name)}`
      : isRecord(r.secretRef)
        ? `Secret ${String(r.secretRef.name)}`
        : json(e);
    return r.prefix === undefined ? ref : `${ref} with prefix ${json(r.prefix)}`;
  };
  const added = a.filter((e) => !b.some((x) => deepEqual(x, e)));
  for (const e of added)
    ctx.out.violations.push(
      `${ctx.who}: envFrom ${describe(e)} would set variables whose names are not shown here (they could include LD_PRELOAD, NODE_OPTIONS or a proxy); set the variables one by one instead`,
    );
  for (const e of b.filter((x) => !a.some((y) => deepEqual(x, y))))
    ctx.out.flags.push(`${ctx.who}: envFrom ${describe(e)} is removed: its variables are no longer set`);
  if (added.length === 0 && a.length === b.length)
    ctx.out.flags.push(`${ctx.who}: envFrom sources are reordered; a later source wins for a repeated name`);
}

/** Variables a new command, args or hook sets for the process it starts, and hosts it talks to, judged like env entries. */
function commandVariables(ctx: Ctx, what: string, value: unknown): void {
  for (const name of new Set(assignedVariables(strings(value)))) refuseVariable(ctx, name, `${what} sets`);
  newDestinations(ctx, what, strings(value));
}

function hookText(h: unknown): string[] {
  return strings(getIn(h, ['exec', 'command']));
}

function containerChanges(ctx: Ctx, before: JsonRecord | undefined, after: JsonRecord): void {
  envChanges(ctx, before, after);
  envFromChanges(ctx, before, after);
  for (const field of ['command', 'args'] as const) {
    if (deepEqual(before?.[field], after[field])) continue;
    commandVariables(ctx, field, after[field]);
    const verb = field === 'command' ? 'changes to' : 'change to';
    flag(ctx, field, verb, after[field] ?? null, before?.[field] ?? null);
  }
  if (!deepEqual(before?.workingDir, after.workingDir))
    flag(ctx, 'workingDir', 'changes to', after.workingDir ?? null, before?.workingDir ?? null);
  const lb = asRecord(before?.lifecycle);
  const la = asRecord(after.lifecycle);
  for (const key of [...new Set([...Object.keys(lb), ...Object.keys(la), ...HOOKS])].sort()) {
    if (deepEqual(lb[key], la[key])) continue;
    if (la[key] === undefined) {
      ctx.out.flags.push(`${ctx.who}: lifecycle ${key} is removed (${was(lb[key])})`);
      continue;
    }
    commandVariables(ctx, `lifecycle ${key}`, hookText(la[key]));
    flag(ctx, `lifecycle ${key}`, lb[key] === undefined ? 'is added:' : 'changes to', la[key], lb[key]);
  }
  for (const p of PROBES) {
    const cmd = getIn(after, [p, 'exec', 'command']);
    if (cmd === undefined || deepEqual(getIn(before, [p, 'exec', 'command']), cmd)) continue;
    commandVariables(ctx, `${p}.exec.command`, cmd);
    flag(ctx, `${p}`, 'runs a new command:', cmd);
  }
}

function registryOf(image: unknown): string | null {
  const s = asString(image);
  const ref = s === null ? null : parseImage(s);
  return ref === null ? null : `${ref.registry}/${ref.repository}`;
}

/** Without a registry allowlist, an image from a repository no revision used is new code from a new source. */
function imageSource(ctx: Ctx, key: string, input: PolicyInput, c: JsonRecord): void {
  const live = containersByKey(podSpec(input.live)).get(key);
  if (input.policy.allowedRegistries.length > 0 || deepEqual(live?.image, c.image)) return;
  const previous = (input.previousTemplates ?? []).map((t) =>
    containersByKey(asRecord(getIn(t, ['spec']))).get(key),
  );
  const known = [live?.image, ...previous.map((p) => p?.image)].map(registryOf);
  const source = registryOf(c.image);
  if (source !== null && !known.includes(source))
    ctx.out.flags.push(
      `${ctx.who}: image ${String(c.image)} comes from ${source}, which no earlier revision used, and AUTOFIX_ALLOWED_REGISTRIES is not set`,
    );
}

/**
 * Flags every change to what a container runs (command, args, workingDir, lifecycle hooks, exec probes,
 * env, envFrom, image source) and refuses variables of the runtime-variables families, new envFrom
 * sources and env values that point outside the namespace at a host the workload never used. A whole
 * template that returns to one of the workload's revisions is not new behaviour and passes.
 */
export function behaviourChanges(input: PolicyInput): Judgement {
  const out: Judgement = { flags: [], violations: [] };
  const previous = input.previousTemplates ?? [];
  if (restoresRevision(input.proposed, previous)) return out;
  const before = containersByKey(podSpec(input.live));
  const known = knownHosts([getIn(input.live, ['spec', 'template']), ...previous]);
  for (const [key, c] of containersByKey(podSpec(input.proposed))) {
    const ctx: Ctx = { who: containerLabel(key), out, namespace: input.target.namespace, known };
    containerChanges(ctx, before.get(key), c);
    imageSource(ctx, key, input, c);
  }
  return out;
}
