// Pod Security Standards "baseline" controls, as the upstream standard (kubernetes.io/docs/concepts/security/pod-security-standards) lists them.
import { asArray, asRecord, asString, getIn, type JsonRecord } from '../domain/json-access.js';
import { allContainers, type ContainerView } from './pod-view.js';

export interface PodView {
  spec: JsonRecord;
  annotations: JsonRecord;
}

const SUFFIX = '(Pod Security baseline)';

export const BASELINE_CAPABILITIES = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

const SELINUX_TYPES = new Set([
  '',
  'container_t',
  'container_init_t',
  'container_kvm_t',
  'container_engine_t',
]);
const PROFILE_TYPES = new Set(['RuntimeDefault', 'Localhost']);
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

/** Only "absent" and `false` are allowed for the boolean switches of the standard. */
const isSet = (v: unknown): boolean => v !== undefined && v !== null && v !== false;
const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** The checks the standard applies to both the pod-level and every container-level securityContext. */
function securityContextChecks(who: string, sc: JsonRecord): string[] {
  const out: string[] = [];
  if (isSet(getIn(sc, ['windowsOptions', 'hostProcess'])))
    out.push(`${who}: windowsOptions.hostProcess is not allowed ${SUFFIX}`);
  const apparmor = getIn(sc, ['appArmorProfile', 'type']);
  if (apparmor !== undefined && !PROFILE_TYPES.has(String(apparmor))) {
    out.push(
      `${who}: AppArmor profile ${show(apparmor)} is not allowed; use RuntimeDefault or Localhost ${SUFFIX}`,
    );
  }
  const se = asRecord(sc.seLinuxOptions);
  if (se.type !== undefined && !SELINUX_TYPES.has(String(se.type)))
    out.push(`${who}: SELinux type ${show(se.type)} is not allowed ${SUFFIX}`);
  for (const f of ['user', 'role'] as const) {
    if (se[f] !== undefined && se[f] !== '')
      out.push(`${who}: setting a custom SELinux ${f} is not allowed ${SUFFIX}`);
  }
  const seccomp = getIn(sc, ['seccompProfile', 'type']);
  if (seccomp !== undefined && !PROFILE_TYPES.has(String(seccomp))) {
    out.push(
      `${who}: seccomp profile ${show(seccomp)} is not allowed; use RuntimeDefault or Localhost ${SUFFIX}`,
    );
  }
  return out;
}

function podLevel(pod: PodView): string[] {
  const out: string[] = [];
  for (const f of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (isSet(pod.spec[f])) out.push(`pod: ${f} is not allowed ${SUFFIX}`);
  }
  const sc = asRecord(pod.spec.securityContext);
  out.push(...securityContextChecks('pod', sc));
  for (const s of asArray(sc.sysctls)) {
    const name = asString(asRecord(s).name) ?? show(s);
    if (!SAFE_SYSCTLS.has(name)) out.push(`pod: sysctl ${name} is not in the safe set ${SUFFIX}`);
  }
  for (const v of asArray(pod.spec.volumes)) {
    const vol = asRecord(v);
    if (isSet(vol.hostPath))
      out.push(`volume ${asString(vol.name) ?? '?'}: hostPath volumes are not allowed ${SUFFIX}`);
  }
  for (const [key, value] of Object.entries(pod.annotations)) {
    if (!key.startsWith(APPARMOR_ANNOTATION)) continue;
    const v = String(value);
    if (v !== 'runtime/default' && !v.startsWith('localhost/')) {
      out.push(
        `pod: annotation ${key}=${v} is not allowed; use runtime/default or localhost/<profile> ${SUFFIX}`,
      );
    }
  }
  return out;
}

/** Probes and lifecycle hooks must not aim the kubelet at another host. */
function hostProbes(c: ContainerView): string[] {
  const handlers: Array<[string, unknown]> = [
    ...['livenessProbe', 'readinessProbe', 'startupProbe'].map((p): [string, unknown] => [p, c.spec[p]]),
    ...['postStart', 'preStop'].map((h): [string, unknown] => [
      `lifecycle.${h}`,
      getIn(c.spec, ['lifecycle', h]),
    ]),
  ];
  const out: string[] = [];
  for (const [where, handler] of handlers) {
    for (const kind of ['httpGet', 'tcpSocket']) {
      const host = getIn(handler, [kind, 'host']);
      if (host !== undefined && host !== null && host !== '') {
        out.push(
          `${c.label}: ${where}.${kind}.host ${show(host)} is not allowed; probes must target the pod itself ${SUFFIX}`,
        );
      }
    }
  }
  return out;
}

function containerLevel(c: ContainerView): string[] {
  const sc = asRecord(c.spec.securityContext);
  const out: string[] = [];
  if (isSet(sc.privileged)) out.push(`${c.label}: privileged is not allowed ${SUFFIX}`);
  const added = asArray(getIn(sc, ['capabilities', 'add'])).map(show);
  const extra = added.filter((cap) => !BASELINE_CAPABILITIES.includes(cap));
  if (extra.length > 0)
    out.push(`${c.label}: adding capabilities ${extra.join(', ')} is not allowed ${SUFFIX}`);
  if (sc.procMount !== undefined && sc.procMount !== 'Default')
    out.push(`${c.label}: procMount ${show(sc.procMount)} is not allowed ${SUFFIX}`);
  out.push(...securityContextChecks(c.label, sc));
  for (const p of asArray(c.spec.ports)) {
    const hostPort = asRecord(p).hostPort;
    if (hostPort !== undefined && hostPort !== null && hostPort !== 0)
      out.push(`${c.label}: hostPort ${show(hostPort)} is not allowed ${SUFFIX}`);
  }
  out.push(...hostProbes(c));
  return out;
}

/** Every baseline violation of the pod: pod-level first, then each container (regular, init, ephemeral). */
export function podSecurityBaseline(pod: PodView): string[] {
  return [...podLevel(pod), ...allContainers(pod.spec).flatMap(containerLevel)];
}
