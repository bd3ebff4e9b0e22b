// The object as kube-autofix shows and keeps it: identity, labels, annotations, spec — plus anything else a change touches.
import type { KubeObject } from '../../domain/index.js';
import { deepEqual, isRecord } from '../../domain/json-access.js';
import { SERVER_OWNED_ANNOTATIONS } from '../../safety/scope-lock.js';

/**
 * A deep copy without status, managedFields, uid, resourceVersion, generation, creationTimestamp and
 * the server-owned annotations; labels and annotations are omitted when empty. Key order is fixed
 * (apiVersion, kind, metadata, spec) so diffs of two manifests line up.
 */
export function cleanManifest(obj: KubeObject): KubeObject {
  const meta = isRecord(obj.metadata) ? obj.metadata : {};
  const metadata: Record<string, unknown> = { name: meta.name, namespace: meta.namespace };
  if (isRecord(meta.labels) && Object.keys(meta.labels).length > 0)
    metadata.labels = structuredClone(meta.labels);
  if (isRecord(meta.annotations)) {
    const kept = Object.entries(meta.annotations).filter(([k]) => !SERVER_OWNED_ANNOTATIONS.includes(k));
    if (kept.length > 0) metadata.annotations = structuredClone(Object.fromEntries(kept));
  }
  const out: KubeObject = { apiVersion: obj.apiVersion, kind: obj.kind, metadata };
  if (obj.spec !== undefined) out.spec = structuredClone(obj.spec);
  return out;
}

/** Copies `key` of `from` into `to` when it differs between the two originals (absent stays absent). */
function keepChanged(
  key: string,
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  into: [Record<string, unknown>, Record<string, unknown>],
): void {
  if (deepEqual(a[key], b[key])) return;
  if (a[key] !== undefined) into[0][key] = structuredClone(a[key]);
  if (b[key] !== undefined) into[1][key] = structuredClone(b[key]);
}

/**
 * The two cleaned manifests a reviewer sees, except that any field cleaning would hide (status,
 * ownerReferences, finalizers, a server-owned annotation, a top-level field) is kept when the
 * change touches it: what is shown is never less than what is sent.
 */
export function reviewManifests(before: KubeObject, after: KubeObject): [KubeObject, KubeObject] {
  const views: [KubeObject, KubeObject] = [cleanManifest(before), cleanManifest(after)];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const k of keys)
    if (!['apiVersion', 'kind', 'metadata', 'spec'].includes(k)) keepChanged(k, before, after, views);
  const bm = isRecord(before.metadata) ? before.metadata : {};
  const am = isRecord(after.metadata) ? after.metadata : {};
  const metas = views.map((v) => v.metadata as Record<string, unknown>) as [
    Record<string, unknown>,
    Record<string, unknown>,
  ];
  for (const k of new Set([...Object.keys(bm), ...Object.keys(am)]))
    if (!['name', 'namespace', 'labels', 'annotations'].includes(k)) keepChanged(k, bm, am, metas);
  const ba = isRecord(bm.annotations) ? bm.annotations : {};
  const aa = isRecord(am.annotations) ? am.annotations : {};
  for (const k of SERVER_OWNED_ANNOTATIONS) {
    if (deepEqual(ba[k], aa[k])) continue;
    metas.forEach((m, i) => {
      const v = (i === 0 ? ba : aa)[k];
      if (v !== undefined) m.annotations = { ...(isRecord(m.annotations) ? m.annotations : {}), [k]: v };
    });
  }
  return views;
}
