// Pod Security Standards "restricted" controls, on top of baseline (which reports the values both forbid).
import { BASELINE_CAPABILITIES, type PodView } from './pod-security-baseline.js';
import { asArray, asRecord, getIn } from '../domain/json-access.js';
import { allContainers, type ContainerView } from './pod-view.js';

const SUFFIX = '(Pod Security restricted)';

const VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

function volumeTypes(pod: PodView): string[] {
  const out: string[] = [];
  for (const v of asArray(pod.spec.volumes)) {
    const vol = asRecord(v);
    // hostPath is a baseline violation already; say it once.
    const bad = Object.keys(vol).filter((k) => k !== 'name' && k !== 'hostPath' && !VOLUME_TYPES.has(k));
    if (bad.length > 0)
      out.push(`volume ${String(vol.name ?? '?')}: ${bad.join(', ')} volumes are not allowed ${SUFFIX}`);
  }
  return out;
}

function nonRoot(pod: PodView, containers: ContainerView[]): string[] {
  const psc = asRecord(pod.spec.securityContext);
  const out: string[] = [];
  if (psc.runAsNonRoot === false) out.push(`pod: runAsNonRoot must not be false ${SUFFIX}`);
  if (psc.runAsUser === 0) out.push(`pod: runAsUser must not be 0 (root) ${SUFFIX}`);
  for (const c of containers) {
    const sc = asRecord(c.spec.securityContext);
    if (sc.runAsNonRoot === false || (sc.runAsNonRoot === undefined && psc.runAsNonRoot !== true)) {
      out.push(`${c.label}: runAsNonRoot must be true, on the container or the pod ${SUFFIX}`);
    }
    if (sc.runAsUser === 0) out.push(`${c.label}: runAsUser must not be 0 (root) ${SUFFIX}`);
  }
  return out;
}

/** The controls the standard applies to Linux pods only. */
function linuxOnly(pod: PodView, containers: ContainerView[]): string[] {
  const podSeccomp = getIn(pod.spec, ['securityContext', 'seccompProfile', 'type']);
  const out: string[] = [];
  for (const c of containers) {
    const sc = asRecord(c.spec.securityContext);
    if (sc.allowPrivilegeEscalation !== false)
      out.push(`${c.label}: allowPrivilegeEscalation must be false ${SUFFIX}`);
    if (podSeccomp === undefined && getIn(sc, ['seccompProfile', 'type']) === undefined) {
      out.push(
        `${c.label}: a seccomp profile (RuntimeDefault or Localhost) must be set on the container or the pod ${SUFFIX}`,
      );
    }
    const caps = asRecord(sc.capabilities);
    if (!asArray(caps.drop).includes('ALL')) out.push(`${c.label}: capabilities must drop ALL ${SUFFIX}`);
    const extra = asArray(caps.add).filter(
      (cap) => cap !== 'NET_BIND_SERVICE' && BASELINE_CAPABILITIES.includes(String(cap)),
    );
    if (extra.length > 0)
      out.push(
        `${c.label}: adding capabilities ${extra.join(', ')} is not allowed; only NET_BIND_SERVICE ${SUFFIX}`,
      );
  }
  return out;
}

/** Restricted violations not already reported by baseline. */
export function podSecurityRestricted(pod: PodView): string[] {
  const containers = allContainers(pod.spec);
  const windows = getIn(pod.spec, ['os', 'name']) === 'windows';
  return [...volumeTypes(pod), ...nonRoot(pod, containers), ...(windows ? [] : linuxOnly(pod, containers))];
}
