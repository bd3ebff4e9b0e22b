// Which ConfigMaps, Secrets (and keys) and PVCs a pod template references, and whether they exist.
import type { ReferenceCheck } from '../../domain/index.js';
import type { Cluster } from '../../k8s/cluster.js';
import { asRecord } from '../../domain/json-access.js';
import { arr } from './summarize.js';

/** One reference of a pod template, with the key it names and where it sits. */
export interface TemplateReference {
  kind: ReferenceCheck['kind'];
  name: string;
  key: string | null;
  optional: boolean;
  usedBy: string;
}

function envRefs(
  container: Record<string, unknown>,
  label: 'container' | 'initContainer',
): TemplateReference[] {
  const c = `${label} ${String(container.name)}`;
  const out: TemplateReference[] = [];
  for (const env of arr(container.env)) {
    const from = asRecord(env.valueFrom);
    for (const [field, kind] of [
      ['configMapKeyRef', 'ConfigMap'],
      ['secretKeyRef', 'Secret'],
    ] as const) {
      const ref = asRecord(from[field]);
      if (typeof ref.name === 'string') {
        out.push({
          kind,
          name: ref.name,
          key: String(ref.key ?? ''),
          optional: ref.optional === true,
          usedBy: `${c} env ${String(env.name)}`,
        });
      }
    }
  }
  for (const src of arr(container.envFrom)) {
    for (const [field, kind] of [
      ['configMapRef', 'ConfigMap'],
      ['secretRef', 'Secret'],
    ] as const) {
      const ref = asRecord(src[field]);
      if (typeof ref.name === 'string')
        out.push({
          kind,
          name: ref.name,
          key: null,
          optional: ref.optional === true,
          usedBy: `${c} envFrom`,
        });
    }
  }
  return out;
}

function volumeRefs(volume: Record<string, unknown>): TemplateReference[] {
  const usedBy = `volume ${String(volume.name)}`;
  const out: TemplateReference[] = [];
  const cm = asRecord(volume.configMap);
  if (typeof cm.name === 'string')
    out.push({ kind: 'ConfigMap', name: cm.name, key: null, optional: cm.optional === true, usedBy });
  const secret = asRecord(volume.secret);
  if (typeof secret.secretName === 'string')
    out.push({
      kind: 'Secret',
      name: secret.secretName,
      key: null,
      optional: secret.optional === true,
      usedBy,
    });
  const pvc = asRecord(volume.persistentVolumeClaim);
  if (typeof pvc.claimName === 'string')
    out.push({ kind: 'PersistentVolumeClaim', name: pvc.claimName, key: null, optional: false, usedBy });
  for (const source of arr(asRecord(volume.projected).sources)) {
    const p = asRecord(source.configMap ?? source.secret);
    if (typeof p.name === 'string') {
      out.push({
        kind: source.configMap ? 'ConfigMap' : 'Secret',
        name: p.name,
        key: null,
        optional: p.optional === true,
        usedBy,
      });
    }
  }
  return out;
}

/** All references of a pod template (env, envFrom, volumes), de-duplicated by kind/name/key/place. */
export function podTemplateReferences(template: unknown): TemplateReference[] {
  const podSpec = asRecord(asRecord(template).spec);
  const refs = [
    ...arr(podSpec.initContainers).flatMap((c) => envRefs(c, 'initContainer')),
    ...arr(podSpec.containers).flatMap((c) => envRefs(c, 'container')),
    ...arr(podSpec.volumes).flatMap(volumeRefs),
  ];
  const seen = new Set<string>();
  return refs.filter((r) => {
    const id = `${r.kind}/${r.name}/${r.key ?? ''}/${r.usedBy}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** What a PersistentVolumeClaim's reference check adds: its phase and storage class (null when unset). */
export function claimState(pvc: Record<string, unknown>): {
  claimPhase: string | null;
  storageClass: string | null;
} {
  const phase = asRecord(pvc.status).phase;
  const cls = asRecord(pvc.spec).storageClassName;
  return {
    claimPhase: typeof phase === 'string' ? phase : null,
    storageClass: typeof cls === 'string' ? cls : null,
  };
}

interface Found {
  keys: string[];
  claim?: ReturnType<typeof claimState>;
}

function fetchReferenced(cluster: Cluster, namespace: string, r: TemplateReference): Promise<Found | null> {
  if (r.kind === 'Secret')
    return cluster.getSecretKeys(namespace, r.name).then((keys) => (keys ? { keys } : null));
  if (r.kind === 'ConfigMap')
    return cluster
      .get('configmaps', namespace, r.name)
      .then((cm) =>
        cm ? { keys: [...Object.keys(asRecord(cm.data)), ...Object.keys(asRecord(cm.binaryData))] } : null,
      );
  return cluster
    .get('persistentvolumeclaims', namespace, r.name)
    .then((pvc) => (pvc ? { keys: [], claim: claimState(pvc) } : null));
}

/**
 * Looks each referenced object up once (at most `maxLookups` objects; the rest are returned as
 * `unchecked`); values are never read into the evidence, only key names (and a claim's phase/class).
 */
export async function checkReferences(
  cluster: Cluster,
  namespace: string,
  refs: TemplateReference[],
  maxLookups: number,
): Promise<{ checks: ReferenceCheck[]; unchecked: string[] }> {
  const found = new Map<string, Promise<Found | null>>();
  const unchecked: string[] = [];
  const lookup = (r: TemplateReference): Promise<Found | null> | undefined => {
    const id = `${r.kind}/${r.name}`;
    let p = found.get(id);
    if (!p) {
      if (found.size >= maxLookups) {
        unchecked.push(id);
        return undefined;
      }
      p = fetchReferenced(cluster, namespace, r);
      found.set(id, p);
    }
    return p;
  };
  const checks = await Promise.all(
    refs.map(async (r): Promise<ReferenceCheck | null> => {
      const pending = lookup(r);
      if (!pending) return null;
      const obj = await pending;
      return {
        kind: r.kind,
        name: r.name,
        key: r.key,
        optional: r.optional,
        exists: obj !== null,
        keyExists: r.key === null ? null : obj !== null && obj.keys.includes(r.key),
        usedBy: r.usedBy,
        ...(obj?.claim ?? {}),
      };
    }),
  );
  return {
    checks: checks.filter((c): c is ReferenceCheck => c !== null),
    unchecked: [...new Set(unchecked)],
  };
}
