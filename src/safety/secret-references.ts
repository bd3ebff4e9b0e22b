// Secret access rule: env and envFrom may change, but never to read a Secret the workload does not read already.
import { asArray, asRecord, asString, getIn, type JsonRecord } from './object-access.js';
import type { PolicyInput } from './policy-rule.js';
import { allContainers, podSpec } from './pod-view.js';

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

/** Every Secret name the pod spec can read: env, envFrom, volumes (plain and projected), image pull secrets. */
function secretsRead(spec: JsonRecord): Set<string> {
  const names = containerUses(spec).map((u) => u.secret);
  for (const v of asArray(spec.volumes)) {
    names.push(asString(getIn(v, ['secret', 'secretName'])) ?? '');
    for (const s of asArray(getIn(v, ['projected', 'sources'])))
      names.push(asString(getIn(s, ['secret', 'name'])) ?? '');
  }
  for (const s of asArray(spec.imagePullSecrets)) names.push(asString(asRecord(s).name) ?? '');
  return new Set(names.filter((n) => n !== ''));
}

/**
 * A Secret the pods could not read before is a new privilege, whoever proposes it; a human grants it.
 * (Pointing a reference at a Secret already mounted or referenced elsewhere in the pod stays allowed.)
 */
export function secretReferences({ live, proposed }: PolicyInput): string[] {
  const known = secretsRead(podSpec(live));
  return containerUses(podSpec(proposed))
    .filter((u) => !known.has(u.secret))
    .map(
      (u) =>
        `${u.where} reads Secret ${u.secret}, which the workload does not use yet; access to a new Secret needs a human`,
    );
}
