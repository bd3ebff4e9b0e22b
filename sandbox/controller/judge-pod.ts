// Pure verdict on a pod: what each container will do on a kubelet, given the image catalog and the cluster's objects.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { findImage, type Catalog, type LogLine } from './catalog.js';
import { InvalidImageRefError, normalizeImageRef, type ImageRef } from './image-ref.js';
import { planProbe, type ExecInContainer, type ProbePlan } from './probe-check.js';
import { readPullCredentials, type PullCredentials } from './pull-secrets.js';
import { parseQuantity } from './quantity.js';
import { checkVolumes, expandRefs, resolveEnv, type Lookups } from './resolve-env.js';
import { resolveExecutable, runProgram, startProcess, type ProcessContext } from './run-process.js';

export type { Lookups } from './resolve-env.js';

/** The value of the pod annotation `sandbox.kube-autofix.dev/verdict`, most severe first. */
export const VERDICT_CLASSES = [
  'mount',
  'image-pull',
  'config',
  'oom',
  'crash',
  'probe-startup',
  'probe-liveness',
  'probe-readiness',
  'init-running',
  'completed',
  'run',
] as const;
export type VerdictClass = (typeof VERDICT_CLASSES)[number];

export type PullPlan =
  | { ok: true; imageRef: string; imageID: string; sizeBytes: number }
  | {
      ok: false;
      reason: 'ErrImagePull' | 'InvalidImageName' | 'ErrImageNeverPull';
      message: string;
      /** The registry refused the pod's credentials: a pull secret created or fixed later heals it. */
      credentials?: true;
    };

export type Outcome =
  | { kind: 'image-pull' }
  | { kind: 'config'; message: string }
  | { kind: 'start-error'; message: string }
  | {
      kind: 'exits';
      exitCode: number;
      reason: 'Completed' | 'Error' | 'OOMKilled';
      seconds: number;
      logs: LogLine[];
    }
  | {
      kind: 'runs';
      logs: LogLine[];
      startupSeconds: number;
      stopExitCode: number;
      stopLogs: LogLine[];
      probes: ProbePlan[];
    };

export interface ContainerPlan {
  name: string;
  image: string;
  init: boolean;
  pull: PullPlan;
  outcome: Outcome;
  verdict: VerdictClass;
}

export interface PodVerdict {
  verdict: VerdictClass;
  /** The verdict can change when ConfigMaps/Secrets change (missing references and pull secrets heal). */
  heals: boolean;
  /** imagePullSecrets the pod names that do not exist: the kubelet warns on every pull. */
  missingPullSecrets: string[];
  mount?: { volume: string; message: string };
  initContainers: ContainerPlan[];
  containers: ContainerPlan[];
}

export interface JudgeContext {
  /** The pod's IP (probe messages name it). */
  podIP: string;
}

const PUBLIC_REGISTRIES = new Set([
  'docker.io',
  'ghcr.io',
  'quay.io',
  'gcr.io',
  'registry.k8s.io',
  'public.ecr.aws',
  'mcr.microsoft.com',
]);

export function judgePod(pod: V1Pod, catalog: Catalog, lookups: Lookups, ctx: JudgeContext): PodVerdict {
  const restartPolicy = pod.spec?.restartPolicy ?? 'Always';
  const creds = readPullCredentials(pod, lookups);
  const plan = (c: V1Container, init: boolean) =>
    judgeContainer(pod, c, init, restartPolicy, catalog, lookups, { ...ctx, creds });
  const initContainers = (pod.spec?.initContainers ?? []).map((c) => plan(c, true));
  const containers = (pod.spec?.containers ?? []).map((c) => plan(c, false));
  const mount = checkVolumes(pod, lookups);
  const classes = new Set<VerdictClass>([...initContainers, ...containers].map((p) => p.verdict));
  if (mount !== undefined) classes.add('mount');
  const verdict = VERDICT_CLASSES.find((v) => classes.has(v)) ?? 'run';
  const refused = [...initContainers, ...containers].some((p) => !p.pull.ok && p.pull.credentials);
  const heals = mount !== undefined || classes.has('config') || refused;
  return {
    verdict,
    heals,
    missingPullSecrets: creds.missing,
    ...(mount ? { mount } : {}),
    initContainers,
    containers,
  };
}

function judgeContainer(
  pod: V1Pod,
  c: V1Container,
  init: boolean,
  restartPolicy: string,
  catalog: Catalog,
  lookups: Lookups,
  ctx: JudgeContext & { creds: PullCredentials },
): ContainerPlan {
  const base = { name: c.name, image: c.image ?? '', init };
  const pull = planPull(c, catalog, ctx.creds);
  if (!pull.ok) return { ...base, pull, outcome: { kind: 'image-pull' }, verdict: 'image-pull' };
  const found = findImage(catalog, normalizeImageRef(c.image ?? ''));
  if (!found.found) throw new Error('unreachable: pulled image not in catalog');
  const env = resolveEnv(pod, c, found.image.env, lookups, ctx.podIP);
  if (!env.ok) return { ...base, pull, outcome: { kind: 'config', message: env.message }, verdict: 'config' };
  const vars = Object.fromEntries(
    Object.entries(env.env).map(([k, v]) => [k, v.replaceAll('{{version}}', found.version)]),
  );
  const expand = (xs: string[]) => xs.map((x) => expandRefs(x, vars));
  const argv =
    c.command !== undefined && c.command.length > 0
      ? [...expand(c.command), ...expand(c.args ?? [])]
      : [
          ...found.image.entrypoint,
          ...(c.args !== undefined && c.args.length > 0 ? expand(c.args) : found.image.cmd),
        ];
  const pctx: ProcessContext = {
    image: found.image,
    version: found.version,
    hostname: pod.metadata?.name ?? '',
  };
  const proc = startProcess(pctx, argv, vars);
  const finished = (outcome: Outcome, verdict: VerdictClass): ContainerPlan => ({
    ...base,
    pull,
    outcome,
    verdict,
  });
  if (proc.kind === 'start-error') return finished({ kind: 'start-error', message: proc.message }, 'crash');
  if (proc.kind === 'exits') {
    const reason = proc.exitCode === 0 ? 'Completed' : 'Error';
    const ok = proc.exitCode === 0 && (init || restartPolicy !== 'Always');
    return finished(
      { kind: 'exits', exitCode: proc.exitCode, reason, seconds: proc.seconds, logs: proc.logs },
      ok ? (init ? 'run' : 'completed') : 'crash',
    );
  }
  const limit = c.resources?.limits?.['memory'];
  if (limit !== undefined && parseQuantity(limit) < proc.workingSetBytes) {
    return finished(
      { kind: 'exits', exitCode: 137, reason: 'OOMKilled', seconds: proc.startupSeconds, logs: proc.logs },
      'oom',
    );
  }
  const exec: ExecInContainer = (cmd) => {
    const exe = cmd[0] === undefined ? undefined : resolveExecutable(found.image, cmd[0]);
    if (exe === undefined) return undefined;
    const out = runProgram(pctx, exe.path, exe.exe, cmd.slice(1), vars, false);
    if (out.kind === 'runs') return 'runs';
    if (out.kind === 'start-error') return undefined;
    return {
      exitCode: out.exitCode,
      output: out.logs.map((l) => (typeof l === 'string' ? l : l.stderr)).join('\n'),
    };
  };
  const target = { podIP: ctx.podIP, process: proc, container: c, exec };
  const probes: ProbePlan[] = [];
  // The startup probe, or liveness when there is none, kills a container that starts slower than it allows.
  if (c.startupProbe) probes.push(planProbe('Startup', c.startupProbe, target, true));
  if (c.livenessProbe) probes.push(planProbe('Liveness', c.livenessProbe, target, !c.startupProbe));
  if (c.readinessProbe) probes.push(planProbe('Readiness', c.readinessProbe, target));
  const failing = probes.find((p) => !p.ok)?.type;
  const verdict: VerdictClass = init
    ? 'init-running'
    : failing === 'Startup'
      ? 'probe-startup'
      : failing === 'Liveness'
        ? 'probe-liveness'
        : failing === 'Readiness'
          ? 'probe-readiness'
          : 'run';
  const { logs, startupSeconds, stopExitCode, stopLogs } = proc;
  return finished({ kind: 'runs', logs, startupSeconds, stopExitCode, stopLogs, probes }, verdict);
}

const NO_CREDENTIALS: PullCredentials = { missing: [], users: new Map() };
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** containerd's answer when a private repository refuses the pod's credentials; null when they are accepted. */
function credentialsRefused(ref: ImageRef, user: string, creds: PullCredentials): string | null {
  const hub = DOCKER_HUB_HOSTS.has(ref.domain);
  const offered = [...creds.users]
    .filter(([host]) => host === ref.domain || (hub && DOCKER_HUB_HOSTS.has(host)))
    .flatMap(([, users]) => users);
  if (offered.includes(user)) return null;
  const path = ref.repository.slice(ref.domain.length + 1);
  const tokenUrl = hub ? 'https://auth.docker.io/token' : `https://${ref.domain}/token`;
  if (offered.length > 0)
    return `failed to authorize: failed to fetch oauth token: unexpected status from POST request to ${tokenUrl}: 401 Unauthorized`;
  if (hub)
    return 'pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed';
  const scope = encodeURIComponent(`repository:${path}:pull`);
  return `failed to authorize: failed to fetch anonymous token: unexpected status from GET request to ${tokenUrl}?scope=${scope}&service=${ref.domain}: 401 Unauthorized`;
}

/** Whether the image pulls with the pod's credentials, with containerd's error text when it does not. */
export function planPull(
  c: V1Container,
  catalog: Catalog,
  creds: PullCredentials = NO_CREDENTIALS,
): PullPlan {
  const image = c.image ?? '';
  let ref;
  try {
    ref = normalizeImageRef(image);
  } catch (e) {
    if (!(e instanceof InvalidImageRefError)) throw e;
    const message = `Failed to apply default image tag "${image}": couldn't parse image name "${image}": ${e.message}`;
    return { ok: false, reason: 'InvalidImageName', message };
  }
  const found = findImage(catalog, ref);
  const prefix = `failed to pull and unpack image "${ref.full}": failed to resolve reference "${ref.full}": `;
  const refused =
    found.found && found.image.privateUser !== null
      ? credentialsRefused(ref, found.image.privateUser, creds)
      : null;
  if (refused !== null) {
    const message = `rpc error: code = Unknown desc = ${prefix}${refused}`;
    return { ok: false, reason: 'ErrImagePull', message, credentials: true };
  }
  if (found.found)
    return { ok: true, imageRef: ref.full, imageID: found.imageID, sizeBytes: found.image.sizeBytes };
  if (c.imagePullPolicy === 'Never') {
    return {
      ok: false,
      reason: 'ErrImageNeverPull',
      message: `Container image "${image}" is not present with pull policy of Never`,
    };
  }
  const full = ref.full;
  if (!PUBLIC_REGISTRIES.has(ref.domain)) {
    const host = ref.domain.split(':')[0];
    const path = ref.repository.slice(ref.domain.length + 1);
    const manifest = `https://${ref.domain}/v2/${path}/manifests/${ref.digest ?? ref.tag}`;
    return {
      ok: false,
      reason: 'ErrImagePull',
      message: `rpc error: code = Unknown desc = ${prefix}failed to do request: Head "${manifest}": dial tcp: lookup ${host}: no such host`,
    };
  }
  if (found.knownRepository) {
    return {
      ok: false,
      reason: 'ErrImagePull',
      message: `rpc error: code = NotFound desc = ${prefix}${full}: not found`,
    };
  }
  return {
    ok: false,
    reason: 'ErrImagePull',
    message: `rpc error: code = Unknown desc = ${prefix}pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`,
  };
}
