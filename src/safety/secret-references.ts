// Secret access rule: env and envFrom may change, but never to read a Secret the workload does not read already.
import { asArray, asRecord, asString, getIn, type JsonRecord } from '../domain/json-access.js';
import type { PolicyInput } from './policy-rule.js';
import { allContainers, containerLabel, containersByKey, podSpec } from './pod-view.js';
import { REDACTED } from './redact-text.js';

interface SecretUse {
  secret: string;
  /** `container app env DB_PASSWORD`, `container app envFrom`. */
  where: string;
}

function containerUses(spec: JsonRecord): SecretUse[] {
  return allContainers(spec)
    .flatMap((c) => [
      ...asArray(c.spec.env).map((e) => ({
        secret: asString(getIn(e, ['valueFrom', 'secretKeyRef', 'name'])),
        where: `${c.label}: env ${asString(asRecord(e).name) ?? '?'}`,
      })),
      ...asArray(c.spec.envFrom).map((e) => ({
        secret: asString(getIn(e, ['secretRef', 'name'])),
        where: `${c.label}: envFrom`,
      })),
    ])
    .filter((u): u is SecretUse => u.secret !== null);
}

/**
 * Every Secret name the pod's containers can read: env, envFrom, volumes (plain and projected).
 * Image pull secrets are read by the kubelet, never by the containers, so they do not count.
 */
export function secretsRead(spec: JsonRecord): Set<string> {
  const names = containerUses(spec).map((u) => u.secret);
  for (const v of asArray(spec.volumes)) {
    names.push(asString(getIn(v, ['secret', 'secretName'])) ?? '');
    for (const s of asArray(getIn(v, ['projected', 'sources'])))
      names.push(asString(getIn(s, ['secret', 'name'])) ?? '');
  }
  return new Set(names.filter((n) => n !== ''));
}

/**
 * A Secret the pods could not read before is a new privilege, whoever proposes it; a human grants it.
 * (Pointing a reference at a Secret already mounted or referenced elsewhere in the pod stays allowed.)
 */
export function secretReferences(input: PolicyInput): string[] {
  const known = secretsRead(podSpec(input.live));
  return [
    ...containerUses(podSpec(input.proposed))
      .filter((u) => !known.has(u.secret))
      .map(
        (u) =>
          `${u.where} reads Secret ${u.secret}, which the workload does not use yet; access to a new Secret needs a human`,
      ),
    ...maskedEnv(input),
    ...expandedSecrets(input),
  ];
}

/** `$(NAME)` references the kubelet expands in env values, command and args; `$$(NAME)` is a literal. */
const EXPANSION = /(\$+)\(([^)]*)\)/g;

function expansions(text: string): string[] {
  return [...text.matchAll(EXPANSION)].filter((m) => m[1]!.length % 2 === 1).map((m) => m[2]!);
}

/** Each expandable string of a container with where it is: env values, command and args. */
function expandable(c: JsonRecord | undefined): Array<[string, string]> {
  const env = asArray(c?.env)
    .map(asRecord)
    .filter((e) => typeof e.value === 'string')
    .map((e): [string, string] => [`env ${String(e.name)}`, e.value as string]);
  const list = (field: string): Array<[string, string]> =>
    asArray(c?.[field])
      .filter((v): v is string => typeof v === 'string')
      .map((v): [string, string] => [field, v]);
  return [...env, ...list('command'), ...list('args')];
}

/** Variables of the container whose value is a Secret's or masked: expanded elsewhere they would be seen. */
function secretVariables(c: JsonRecord): Set<string> {
  return new Set(
    asArray(c.env)
      .map(asRecord)
      .filter(
        (e) =>
          getIn(e, ['valueFrom', 'secretKeyRef']) !== undefined ||
          (typeof e.value === 'string' && e.value.includes(REDACTED)),
      )
      .map((e) => String(e.name)),
  );
}

/**
 * `$(DB_PASSWORD)` in a new env value, command or arg copies a Secret's value to a place that neither
 * masks it nor is read as a Secret (a URL to another host, a log flag): refused unless it was there already.
 */
function expandedSecrets({ live, proposed }: PolicyInput): string[] {
  const before = containersByKey(podSpec(live));
  const out: string[] = [];
  for (const [key, c] of containersByKey(podSpec(proposed))) {
    const secrets = secretVariables(c);
    const existing = new Set(expandable(before.get(key)).map(([w, t]) => `${w}\u0000${t}`));
    for (const [where, text] of expandable(c)) {
      if (existing.has(`${where}\u0000${text}`)) continue;
      for (const name of expansions(text).filter((n) => secrets.has(n))) {
        out.push(
          `${containerLabel(key)}: ${where} would expand $(${name}), whose value is a Secret's or masked, into a place that does not protect it`,
        );
      }
    }
  }
  return out;
}

/**
 * An env value masked because of its variable's name must keep that name: renamed, it would be collected
 * unmasked next time. So every masked entry must be one the container already has, name and value.
 */
function maskedEnv({ live, proposed }: PolicyInput): string[] {
  const before = containersByKey(podSpec(live));
  const out: string[] = [];
  for (const [key, c] of containersByKey(podSpec(proposed))) {
    const liveEnv = asArray(before.get(key)?.env).map(asRecord);
    for (const e of asArray(c.env).map(asRecord)) {
      if (typeof e.value !== 'string' || !e.value.includes(REDACTED)) continue;
      if (liveEnv.some((l) => l.name === e.name && l.value === e.value)) continue;
      out.push(
        `${containerLabel(key)}: env ${String(e.name)} would hold a masked value under a name or place it did not have; that would expose it`,
      );
    }
  }
  return out;
}
