// The object as kube-autofix would send it with server-side apply: identity, labels, annotations, spec.
import type { KubeObject } from '../domain/index.js';
import { SERVER_OWNED_ANNOTATIONS } from '../safety/scope-lock.js';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

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
