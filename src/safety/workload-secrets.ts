// The Secrets a workload itself uses: their values are what the known-value matcher masks wherever they appear.
import { asArray, asRecord, asString, type JsonRecord } from '../domain/json-access.js';
import { podSpec } from './pod-view.js';
import { secretsRead } from './secret-references.js';

/**
 * Every Secret the workload's pods use, sorted: those the containers read (env `secretKeyRef`, `envFrom`,
 * volumes, projected volumes) and the image pull secrets the kubelet sends to a registry.
 */
export function secretsUsed(workload: unknown): string[] {
  const spec: JsonRecord = podSpec(workload);
  const names = new Set(secretsRead(spec));
  for (const s of asArray(spec.imagePullSecrets)) {
    const name = asString(asRecord(s).name);
    if (name) names.add(name);
  }
  return [...names].sort();
}
