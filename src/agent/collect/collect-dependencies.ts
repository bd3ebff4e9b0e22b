// Matches the hosts crash logs cannot reach ("connection refused", "no such host") to Services and their endpoints.
import type { DependencyCheck, KubeObject, LogTail } from '../../domain/index.js';
import { unreachableEndpoint } from '../analyzers/crash-causes.js';
import { asRecord } from '../../domain/json-access.js';
import { arr } from './summarize.js';

// A few dependencies are enough to name the cause; more would only grow the evidence.
const MAX_DEPENDENCIES = 5;

/** `db:5432`, `db.shop`, `db.shop.svc.cluster.local` → Service `db` in `shop`; external names → null. */
export function serviceOfHost(
  endpoint: string,
  namespace: string,
  services: KubeObject[],
): { service: string; namespace: string } | null {
  const host = endpoint.replace(/:\d+$/, '');
  const byIp = services.find((s) => asRecord(s.spec).clusterIP === host);
  if (byIp) return { service: String(asRecord(byIp.metadata).name), namespace };
  if (/^[\d.]+$/.test(host)) return null;
  const parts = host.split('.');
  if (parts.length === 1) return { service: host, namespace };
  if (parts[2] === 'svc' || (parts.length === 2 && parts[1] === namespace))
    return { service: parts[0]!, namespace: parts[1]! };
  return null;
}

function endpointCounts(slices: KubeObject[], service: string): { ready: number; notReady: number } {
  const endpoints = slices
    .filter((s) => asRecord(asRecord(s.metadata).labels)['kubernetes.io/service-name'] === service)
    .flatMap((s) => arr(s.endpoints));
  const ready = endpoints.filter((e) => asRecord(e.conditions).ready === true).length;
  return { ready, notReady: endpoints.length - ready };
}

/** One check per distinct unreachable Service named in the log tails (same namespace looked up, others not). */
export function checkDependencies(
  logs: LogTail[],
  namespace: string,
  services: KubeObject[],
  slices: KubeObject[],
): DependencyCheck[] {
  const out = new Map<string, DependencyCheck>();
  for (const line of logs.flatMap((l) => l.lines)) {
    const endpoint = unreachableEndpoint(line);
    const target = endpoint ? serviceOfHost(endpoint, namespace, services) : null;
    if (!endpoint || !target || out.has(`${target.namespace}/${target.service}`)) continue;
    if (out.size >= MAX_DEPENDENCIES) break;
    const local = target.namespace === namespace;
    const exists = local ? services.some((s) => asRecord(s.metadata).name === target.service) : null;
    const counts = exists ? endpointCounts(slices, target.service) : null;
    out.set(`${target.namespace}/${target.service}`, {
      endpoint,
      ...target,
      exists,
      readyEndpoints: counts?.ready ?? (exists === false ? 0 : null),
      notReadyEndpoints: counts?.notReady ?? (exists === false ? 0 : null),
    });
  }
  return [...out.values()];
}
