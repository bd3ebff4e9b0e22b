// Pod Security Standards: baseline always, restricted when configured; regular, init and ephemeral containers.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/domain/index.js';
import type { PolicyConfig } from '../../../src/config/config.js';
import { podSecurity } from '../../../src/safety/pod-security.js';
import { liveDeployment, policyConfig, policyTarget } from '../../fixtures/policy-fixtures.js';

type Rec = Record<string, unknown>;

/** The live Deployment with its pod template edited in place by `edit`. */
function withPod(edit: (pod: { spec: Rec; metadata: Rec; app: Rec }) => void): KubeObject {
  const d = liveDeployment();
  const template = (d.spec as Rec).template as { spec: Rec; metadata: Rec };
  edit({ ...template, app: (template.spec.containers as Rec[])[0]! });
  return d;
}

function check(proposed: KubeObject, policy: Partial<PolicyConfig> = {}): string[] {
  return podSecurity({
    target: policyTarget,
    live: liveDeployment(),
    proposed,
    policy: policyConfig(policy),
  });
}

describe('podSecurity baseline', () => {
  it.each<[string, (p: { spec: Rec; metadata: Rec; app: Rec }) => void, string]>([
    [
      'privileged',
      ({ app }) => (app.securityContext = { privileged: true }),
      'container app: privileged is not allowed (Pod Security baseline)',
    ],
    [
      'hostNetwork',
      ({ spec }) => (spec.hostNetwork = true),
      'pod: hostNetwork is not allowed (Pod Security baseline)',
    ],
    ['hostPID', ({ spec }) => (spec.hostPID = true), 'pod: hostPID is not allowed (Pod Security baseline)'],
    ['hostIPC', ({ spec }) => (spec.hostIPC = true), 'pod: hostIPC is not allowed (Pod Security baseline)'],
    [
      'hostPath',
      ({ spec }) => (spec.volumes = [{ name: 'root', hostPath: { path: '/', type: 'Directory' } }]),
      'volume root: hostPath volumes are not allowed (Pod Security baseline)',
    ],
    [
      'SYS_ADMIN',
      ({ app }) => (app.securityContext = { capabilities: { add: ['NET_ADMIN', 'CHOWN', 'SYS_ADMIN'] } }),
      'container app: adding capabilities NET_ADMIN, SYS_ADMIN is not allowed (Pod Security baseline)',
    ],
    [
      'hostPort',
      ({ app }) => (app.ports = [{ containerPort: 8080, hostPort: 80 }]),
      'container app: hostPort 80 is not allowed (Pod Security baseline)',
    ],
    [
      'seccomp Unconfined',
      ({ spec }) => (spec.securityContext = { seccompProfile: { type: 'Unconfined' } }),
      'pod: seccomp profile Unconfined is not allowed; use RuntimeDefault or Localhost (Pod Security baseline)',
    ],
    [
      'AppArmor Unconfined',
      ({ app }) => (app.securityContext = { appArmorProfile: { type: 'Unconfined' } }),
      'container app: AppArmor profile Unconfined is not allowed; use RuntimeDefault or Localhost (Pod Security baseline)',
    ],
    [
      'AppArmor annotation',
      ({ metadata }) =>
        (metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' }),
      'pod: annotation container.apparmor.security.beta.kubernetes.io/app=unconfined is not allowed; use runtime/default or localhost/<profile> (Pod Security baseline)',
    ],
    [
      'SELinux type',
      ({ app }) => (app.securityContext = { seLinuxOptions: { type: 'spc_t' } }),
      'container app: SELinux type spc_t is not allowed (Pod Security baseline)',
    ],
    [
      'SELinux user',
      ({ spec }) => (spec.securityContext = { seLinuxOptions: { user: 'system_u' } }),
      'pod: setting a custom SELinux user is not allowed (Pod Security baseline)',
    ],
    [
      'procMount',
      ({ app }) => (app.securityContext = { procMount: 'Unmasked' }),
      'container app: procMount Unmasked is not allowed (Pod Security baseline)',
    ],
    [
      'unsafe sysctl',
      ({ spec }) => (spec.securityContext = { sysctls: [{ name: 'kernel.msgmax', value: '1' }] }),
      'pod: sysctl kernel.msgmax is not in the safe set (Pod Security baseline)',
    ],
    [
      'windows hostProcess',
      ({ spec }) => (spec.securityContext = { windowsOptions: { hostProcess: true } }),
      'pod: windowsOptions.hostProcess is not allowed (Pod Security baseline)',
    ],
    [
      'probe host',
      ({ app }) => (app.livenessProbe = { httpGet: { host: '169.254.169.254', path: '/', port: 80 } }),
      'container app: livenessProbe.httpGet.host 169.254.169.254 is not allowed; probes must target the pod itself (Pod Security baseline)',
    ],
    [
      'lifecycle host',
      ({ app }) => (app.lifecycle = { preStop: { tcpSocket: { host: '10.0.0.1', port: 22 } } }),
      'container app: lifecycle.preStop.tcpSocket.host 10.0.0.1 is not allowed; probes must target the pod itself (Pod Security baseline)',
    ],
    [
      'privileged init container',
      ({ spec }) =>
        (spec.initContainers = [{ name: 'setup', image: 'busybox', securityContext: { privileged: true } }]),
      'init container setup: privileged is not allowed (Pod Security baseline)',
    ],
    [
      'ephemeral container',
      ({ spec }) =>
        (spec.ephemeralContainers = [
          { name: 'debug', image: 'busybox', securityContext: { capabilities: { add: ['SYS_PTRACE'] } } },
        ]),
      'ephemeral container debug: adding capabilities SYS_PTRACE is not allowed (Pod Security baseline)',
    ],
  ])('refuses %s', (_name, edit, expected) => {
    expect(check(withPod(edit))).toEqual([expected]);
  });

  it.each<[string, (p: { spec: Rec; metadata: Rec; app: Rec }) => void]>([
    ['the live pod', () => undefined],
    [
      'explicit false switches',
      ({ spec, app }) => {
        spec.hostNetwork = false;
        app.securityContext = { privileged: false };
      },
    ],
    [
      'baseline capabilities',
      ({ app }) => (app.securityContext = { capabilities: { add: ['NET_BIND_SERVICE', 'CHOWN'] } }),
    ],
    ['hostPort 0', ({ app }) => (app.ports = [{ containerPort: 8080, hostPort: 0 }])],
    [
      'safe sysctls',
      ({ spec }) =>
        (spec.securityContext = { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] }),
    ],
    [
      'RuntimeDefault and Localhost profiles',
      ({ spec, app }) => {
        spec.securityContext = { seccompProfile: { type: 'RuntimeDefault' } };
        app.securityContext = { appArmorProfile: { type: 'Localhost', localhostProfile: 'x' } };
      },
    ],
    [
      'container_t SELinux',
      ({ app }) => (app.securityContext = { seLinuxOptions: { type: 'container_t', level: 's0:c123,c456' } }),
    ],
    [
      'empty probe host',
      ({ app }) => (app.readinessProbe = { httpGet: { host: '', path: '/', port: 8080 } }),
    ],
  ])('allows %s', (_name, edit) => {
    expect(check(withPod(edit))).toEqual([]);
  });
});

describe('podSecurity restricted', () => {
  const hardened = ({ spec }: { spec: Rec }): void => {
    spec.securityContext = {
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    };
    for (const c of spec.containers as Rec[])
      c.securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
  };

  it('passes a hardened pod', () => {
    expect(check(withPod(hardened), { level: 'restricted' })).toEqual([]);
  });

  it('is not applied at baseline', () => {
    expect(check(liveDeployment())).toEqual([]);
  });

  it.each<[string, (p: { spec: Rec; app: Rec }) => void, string]>([
    [
      'root user',
      ({ app }) => ((app.securityContext as Rec).runAsUser = 0),
      'container app: runAsUser must not be 0 (root) (Pod Security restricted)',
    ],
    [
      'runAsNonRoot false',
      ({ app }) => ((app.securityContext as Rec).runAsNonRoot = false),
      'container app: runAsNonRoot must be true, on the container or the pod (Pod Security restricted)',
    ],
    [
      'privilege escalation',
      ({ app }) => ((app.securityContext as Rec).allowPrivilegeEscalation = true),
      'container app: allowPrivilegeEscalation must be false (Pod Security restricted)',
    ],
    [
      'no drop ALL',
      ({ app }) => ((app.securityContext as Rec).capabilities = { drop: ['NET_RAW'] }),
      'container app: capabilities must drop ALL (Pod Security restricted)',
    ],
    [
      'CHOWN added',
      ({ app }) => ((app.securityContext as Rec).capabilities = { drop: ['ALL'], add: ['CHOWN'] }),
      'container app: adding capabilities CHOWN is not allowed; only NET_BIND_SERVICE (Pod Security restricted)',
    ],
    [
      'nfs volume',
      ({ spec }) => (spec.volumes = [{ name: 'share', nfs: { server: 'nas', path: '/' } }]),
      'volume share: nfs volumes are not allowed (Pod Security restricted)',
    ],
    [
      'no seccomp',
      ({ spec }) => delete (spec.securityContext as Rec).seccompProfile,
      'container app: a seccomp profile (RuntimeDefault or Localhost) must be set on the container or the pod (Pod Security restricted)',
    ],
  ])('refuses %s', (_name, edit, expected) => {
    const v = check(
      withPod((p) => {
        hardened(p);
        edit(p);
      }),
      { level: 'restricted' },
    );
    expect(v).toContain(expected);
  });

  it('exempts Windows pods from the Linux-only controls', () => {
    const d = withPod(({ spec }) => {
      spec.os = { name: 'windows' };
      spec.securityContext = { runAsNonRoot: true };
    });
    expect(check(d, { level: 'restricted' })).toEqual([]);
  });

  it('reports a SYS_ADMIN addition once, as baseline', () => {
    const v = check(
      withPod((p) => {
        hardened(p);
        (p.app.securityContext as Rec).capabilities = { drop: ['ALL'], add: ['SYS_ADMIN'] };
      }),
      { level: 'restricted' },
    );
    expect(v).toEqual([
      'container app: adding capabilities SYS_ADMIN is not allowed (Pod Security baseline)',
    ]);
  });
});
