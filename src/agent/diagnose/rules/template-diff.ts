// Human sentences for what returning to an older pod template changes (image, command, env, probes, scheduling…).
import { asArray, asRecord, asString, deepEqual, getIn } from '../../../domain/json-access.js';

const CONTAINER_FIELDS = [
  'command',
  'args',
  'env',
  'envFrom',
  'resources',
  'ports',
  'readinessProbe',
  'livenessProbe',
  'startupProbe',
  'volumeMounts',
];
const POD_FIELDS = [
  'nodeSelector',
  'affinity',
  'tolerations',
  'volumes',
  'serviceAccountName',
  'securityContext',
  'initContainers',
];

function byName(containers: unknown): Map<string, Record<string, unknown>> {
  return new Map(asArray(containers).map((c) => [asString(asRecord(c).name) ?? '', asRecord(c)]));
}

/** `limits.memory 512Mi → 256Mi` for each changed resource quantity. */
function resourceChanges(from: unknown, to: unknown): string[] {
  return (['limits', 'requests'] as const).flatMap((kind) => {
    const a = asRecord(asRecord(from)[kind]);
    const b = asRecord(asRecord(to)[kind]);
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]);
    return keys.map((k) => `${kind}.${k} ${String(a[k] ?? 'unset')} → ${String(b[k] ?? 'unset')}`);
  });
}

function containerChanges(
  name: string,
  from: Record<string, unknown>,
  to: Record<string, unknown>,
): string[] {
  const out: string[] = [];
  if (from.image !== to.image)
    out.push(`container ${name} image ${String(from.image)} → ${String(to.image)}`);
  const resources = resourceChanges(from.resources, to.resources);
  if (resources.length > 0) out.push(`container ${name} ${resources.join(', ')}`);
  const fields = CONTAINER_FIELDS.filter((f) => f !== 'resources' && !deepEqual(from[f], to[f]));
  if (fields.length > 0) out.push(`container ${name} ${fields.join(', ')} as in that revision`);
  return out;
}

/** What changes when the live template `from` is replaced by the revision template `to`. */
export function templateDiff(from: unknown, to: unknown): string[] {
  const fromSpec = asRecord(getIn(from, ['spec']));
  const toSpec = asRecord(getIn(to, ['spec']));
  const current = byName(fromSpec.containers);
  const target = byName(toSpec.containers);
  const out: string[] = [];
  for (const [name, c] of target) {
    const live = current.get(name);
    out.push(...(live ? containerChanges(name, live, c) : [`container ${name} restored`]));
  }
  for (const name of current.keys()) if (!target.has(name)) out.push(`container ${name} removed`);
  const podFields = POD_FIELDS.filter((f) => !deepEqual(fromSpec[f], toSpec[f]));
  if (podFields.length > 0) out.push(`pod ${podFields.join(', ')} as in that revision`);
  if (!deepEqual(getIn(from, ['metadata']), getIn(to, ['metadata'])))
    out.push('pod template labels/annotations as in that revision');
  return out;
}
