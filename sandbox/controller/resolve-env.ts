// Resolves a container's environment and a pod's volumes against ConfigMaps/Secrets, as the kubelet does.
import type { V1Container, V1Pod, V1Volume } from '@kubernetes/client-node';
import { parseQuantity } from './quantity.js';

/** Read access to the cluster's ConfigMaps and Secrets (values decoded); undefined when absent. */
export interface Lookups {
  configMap(namespace: string, name: string): Record<string, string> | undefined;
  secret(namespace: string, name: string): Record<string, string> | undefined;
}

export type EnvResult = { ok: true; env: Record<string, string> } | { ok: false; message: string };

/** The kubelet's order: image ENV, then envFrom, then env (with $(VAR) expansion); the first missing reference fails. */
export function resolveEnv(
  pod: V1Pod,
  container: V1Container,
  imageEnv: Record<string, string>,
  lookups: Lookups,
  podIP: string,
): EnvResult {
  const ns = pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ...imageEnv,
    HOSTNAME: pod.metadata?.name ?? '',
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
  };
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (ref === undefined) continue;
    const kind = from.configMapRef ? 'configmap' : 'secret';
    const data =
      kind === 'configmap' ? lookups.configMap(ns, ref.name ?? '') : lookups.secret(ns, ref.name ?? '');
    if (data === undefined) {
      if (ref.optional) continue;
      return { ok: false, message: `${kind} "${ref.name}" not found` };
    }
    for (const [k, v] of Object.entries(data)) env[(from.prefix ?? '') + k] = v;
  }
  const declared: Record<string, string> = {};
  for (const e of container.env ?? []) {
    let value = e.value;
    const src = e.valueFrom;
    if (value === undefined || value === '') {
      if (src?.configMapKeyRef || src?.secretKeyRef) {
        const ref = (src.configMapKeyRef ?? src.secretKeyRef)!;
        const isCm = src.configMapKeyRef !== undefined;
        const data = isCm ? lookups.configMap(ns, ref.name ?? '') : lookups.secret(ns, ref.name ?? '');
        if (data === undefined) {
          if (ref.optional) continue;
          return { ok: false, message: `${isCm ? 'configmap' : 'secret'} "${ref.name}" not found` };
        }
        if (!(ref.key in data)) {
          if (ref.optional) continue;
          return {
            ok: false,
            message: `couldn't find key ${ref.key} in ${isCm ? 'ConfigMap' : 'Secret'} ${ns}/${ref.name}`,
          };
        }
        value = data[ref.key];
      } else if (src?.fieldRef) {
        value = fieldValue(pod, src.fieldRef.fieldPath, podIP);
      } else if (src?.resourceFieldRef) {
        value = resourceValue(container, src.resourceFieldRef.resource, src.resourceFieldRef.divisor);
      }
    } else {
      value = expandRefs(value, { ...env, ...declared });
    }
    declared[e.name] = value ?? '';
  }
  return { ok: true, env: { ...env, ...declared } };
}

/** Kubernetes' `$(VAR)` expansion in env values, command and args; `$$(VAR)` escapes. Unknown references stay. */
export function expandRefs(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][\w.-]*)\)/g, (m, name?: string) =>
    m === '$$' ? '$' : (vars[name!] ?? m),
  );
}

function fieldValue(pod: V1Pod, path: string, podIP: string): string {
  const annotations = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (annotations) return pod.metadata?.annotations?.[annotations[1]!] ?? '';
  const labels = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (labels) return pod.metadata?.labels?.[labels[1]!] ?? '';
  const values: Record<string, string | undefined> = {
    'metadata.name': pod.metadata?.name,
    'metadata.namespace': pod.metadata?.namespace,
    'metadata.uid': pod.metadata?.uid,
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.podIP': podIP,
    'status.hostIP': pod.status?.hostIP,
  };
  return values[path] ?? '';
}

function resourceValue(container: V1Container, resource: string, divisor: string | undefined): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const raw = (container.resources?.[kind] as Record<string, string> | undefined)?.[name];
  if (raw === undefined) return '0';
  return String(Math.ceil(parseQuantity(raw) / parseQuantity(divisor ?? '1')));
}

/** The first volume the kubelet cannot set up, with its FailedMount message; undefined when all mount. */
export function checkVolumes(pod: V1Pod, lookups: Lookups): { volume: string; message: string } | undefined {
  const ns = pod.metadata?.namespace ?? 'default';
  for (const vol of pod.spec?.volumes ?? []) {
    const problem = volumeProblem(vol, ns, lookups);
    if (problem !== undefined)
      return { volume: vol.name, message: `MountVolume.SetUp failed for volume "${vol.name}" : ${problem}` };
  }
  return undefined;
}

function volumeProblem(vol: V1Volume, ns: string, lookups: Lookups): string | undefined {
  type Source = { name?: string; secretName?: string; optional?: boolean; items?: { key: string }[] };
  const as = (kind: 'configmap' | 'secret', src: Source | undefined) =>
    src ? [{ kind, name: src.name ?? src.secretName ?? '', optional: src.optional, items: src.items }] : [];
  const sources = [
    ...as('configmap', vol.configMap),
    ...as('secret', vol.secret),
    ...(vol.projected?.sources ?? []).flatMap((p) => [
      ...as('configmap', p.configMap),
      ...as('secret', p.secret),
    ]),
  ];
  for (const s of sources) {
    const data = s.kind === 'configmap' ? lookups.configMap(ns, s.name) : lookups.secret(ns, s.name);
    if (data === undefined) {
      if (s.optional) continue;
      return `${s.kind} "${s.name}" not found`;
    }
    const missing = (s.items ?? []).find((i) => !(i.key in data));
    if (missing !== undefined && !s.optional) {
      return s.kind === 'configmap'
        ? `configmap references non-existent config key: ${missing.key}`
        : `references non-existent secret key: ${missing.key}`;
    }
  }
  return undefined;
}
