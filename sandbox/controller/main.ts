// Sandbox-only controller: judges pods bound to KWOK nodes against the image catalog and plays the verdict.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  makeInformer,
  setHeaderOptions,
  type Informer,
  type KubernetesObject,
  type ObjectCache,
  type V1ConfigMap,
  type V1Node,
  type V1Pod,
  type V1Secret,
} from '@kubernetes/client-node';
import { loadCatalog } from './catalog.js';
import { createEventRecorder } from './event-recorder.js';
import { createIpAllocator } from './ip-allocator.js';
import { judgePod, type Lookups } from './judge-pod.js';
import { createLogWriter } from './log-writer.js';
import { createLogger } from './logger.js';
import { PodRun, VERDICT_ANNOTATION, type Carry, type RuntimeDeps } from './pod-run.js';

const { values: args } = parseArgs({
  options: {
    kubeconfig: { type: 'string' },
    catalog: { type: 'string' },
    state: { type: 'string' },
    'time-scale': { type: 'string', default: process.env.SANDBOX_TIME_SCALE ?? '0.2' },
  },
});
if (!args.kubeconfig || !args.catalog || !args.state) {
  process.stderr.write(
    'usage: main.ts --kubeconfig FILE --catalog images.yaml --state DIR [--time-scale 0.2]\n',
  );
  process.exit(2);
}
const stateDir = args.state;
const readyFile = join(stateDir, 'controller.ready');
const log = createLogger();
const catalog = loadCatalog(args.catalog);
const kc = new KubeConfig();
kc.loadFromFile(args.kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
mkdirSync(stateDir, { recursive: true });
rmSync(readyFile, { force: true });

let stopping = false;
type Cached<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;
function watch<T extends KubernetesObject>(path: string, list: () => Promise<{ items: T[] }>): Cached<T> {
  const informer = makeInformer<T>(kc, path, list as never);
  informer.on('error', (err: unknown) => {
    if (stopping) return;
    log.warn('watch failed; restarting', { path, error: String(err) });
    setTimeout(() => void informer.start().catch(() => undefined), 2000);
  });
  return informer;
}
const nodes = watch<V1Node>('/api/v1/nodes', () => core.listNode());
const pods = watch<V1Pod>('/api/v1/pods', () => core.listPodForAllNamespaces());
const configMaps = watch<V1ConfigMap>('/api/v1/configmaps', () => core.listConfigMapForAllNamespaces());
const secrets = watch<V1Secret>('/api/v1/secrets', () => core.listSecretForAllNamespaces());

const lookups: Lookups = {
  configMap: (ns, name) => {
    const cm = configMaps.get(name, ns);
    return cm === undefined
      ? undefined
      : { ...cm.data, ...Object.fromEntries(Object.keys(cm.binaryData ?? {}).map((k) => [k, ''])) };
  },
  secret: (ns, name) => {
    const s = secrets.get(name, ns);
    if (s === undefined) return undefined;
    const decoded = Object.entries(s.data ?? {}).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString('utf8'),
    ]);
    return { ...Object.fromEntries(decoded), ...s.stringData };
  },
};

const images = new Map<string, Set<string>>();
const deps: RuntimeDeps = {
  events: createEventRecorder(core, log),
  logs: createLogWriter(stateDir, custom, log),
  patchStatus: async (ref, body) => {
    await core.patchNamespacedPodStatus(
      { name: ref.name, namespace: ref.namespace, body },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  },
  images: {
    has: (node, ref) => images.get(node)?.has(ref) ?? false,
    add: (node, ref) => void images.set(node, (images.get(node) ?? new Set()).add(ref)),
  },
  timeScale: Number(args['time-scale']),
  log,
};
const ips = createIpAllocator(() => nodes.list().map((n) => n.metadata?.name ?? ''));
const runs = new Map<string, PodRun>();

const managedNode = (pod: V1Pod): V1Node | undefined => {
  const node = pod.spec?.nodeName ? nodes.get(pod.spec.nodeName) : undefined;
  return node?.metadata?.annotations?.['kwok.x-k8s.io/node'] === 'fake' ? node : undefined;
};
const hostIPOf = (node: V1Node) =>
  node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '10.0.0.1';

function start(pod: V1Pod, node: V1Node, carry?: Map<string, Carry>, knownIP?: string): void {
  const podIP = knownIP ?? pod.status?.podIP ?? ips.allocate(node);
  const net = { podIP, hostIP: hostIPOf(node) };
  let verdict;
  try {
    verdict = judgePod(pod, catalog, lookups, { podIP });
  } catch (err) {
    log.error('pod not judged', {
      pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`,
      error: String(err),
    });
    return;
  }
  const run = new PodRun(deps, pod, verdict, net, carry);
  runs.set(pod.metadata!.uid!, run);
  log.info('pod judged', {
    pod: run.name,
    node: node.metadata?.name,
    verdict: verdict.verdict,
    podIP,
    resumed: carry !== undefined,
  });
  void run.run();
}

/** After a controller restart: the statuses already written continue from where they were. */
function carryFromStatus(pod: V1Pod): Map<string, Carry> {
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  return new Map(
    all.map((s) => [
      s.name,
      { status: JSON.parse(JSON.stringify(s)) as Carry['status'], crashes: s.restartCount },
    ]),
  );
}

function onPod(pod: V1Pod): void {
  const uid = pod.metadata?.uid ?? '';
  const existing = runs.get(uid);
  if (pod.metadata?.deletionTimestamp) {
    existing?.stop();
    return;
  }
  if (existing !== undefined) return existing.observe(pod);
  const node = managedNode(pod);
  if (node === undefined) return;
  const verdict = pod.metadata?.annotations?.[VERDICT_ANNOTATION];
  if (pod.status?.podIP) ips.markUsed(node, pod.status.podIP);
  for (const s of pod.status?.containerStatuses ?? [])
    if (s.imageID) deps.images.add(node.metadata!.name!, s.image);
  if (verdict === 'run') return;
  start(pod, node, verdict === undefined ? undefined : carryFromStatus(pod));
}

function onPodDeleted(pod: V1Pod): void {
  const uid = pod.metadata?.uid ?? '';
  runs.get(uid)?.stop();
  runs.delete(uid);
  if (pod.spec?.nodeName && pod.status?.podIP) ips.release(pod.spec.nodeName, pod.status.podIP);
  deps.events.forget(uid);
  deps.logs.removePod({ name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '', uid });
}

/** Missing ConfigMaps/Secrets can appear later: re-judge pods whose verdict can heal. */
function recheckHealing(): void {
  for (const [uid, run] of runs) {
    if (!run.verdict.heals) continue;
    const pod = pods.list().find((p) => p.metadata?.uid === uid);
    const node = pod && managedNode(pod);
    if (pod === undefined || node === undefined || pod.metadata?.deletionTimestamp) continue;
    const next = judgePod(pod, catalog, lookups, { podIP: run.net.podIP });
    if (JSON.stringify(next) === JSON.stringify(run.verdict)) continue;
    log.info('verdict changed', { pod: run.name, from: run.verdict.verdict, to: next.verdict });
    run.stop();
    start(pod, node, run.carry(), run.net.podIP);
  }
}

/** Log directories of pods that no longer exist (e.g. from a previous sandbox) are removed at start. */
function removeStaleLogs(): void {
  const live = new Set(pods.list().map((p) => p.metadata?.uid));
  const dir = join(stateDir, 'logs', 'pods');
  const entries = existsSync(dir) ? readdirSync(dir) : [];
  for (const entry of entries.filter((e) => !live.has(e.split('_').at(-1))))
    rmSync(join(dir, entry), { recursive: true, force: true });
}

async function main(): Promise<void> {
  await Promise.all([nodes.start(), configMaps.start(), secrets.start()]);
  pods.on('add', onPod);
  pods.on('update', onPod);
  pods.on('delete', onPodDeleted);
  await pods.start();
  removeStaleLogs();
  const ticker = setInterval(recheckHealing, 2000);
  writeFileSync(readyFile, `${process.pid}\n`);
  log.info('controller ready', { catalogImages: catalog.images.length, timeScale: deps.timeScale });
  const shutdown = async (signal: string) => {
    log.info('shutting down', { signal });
    stopping = true;
    clearInterval(ticker);
    for (const run of runs.values()) run.stop();
    await Promise.allSettled([pods.stop(), nodes.stop(), configMaps.stop(), secrets.stop()]);
    await Promise.race([deps.events.flush(), new Promise((r) => setTimeout(r, 2000))]);
    rmSync(readyFile, { force: true });
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  log.error('controller failed to start', { error: String(err) });
  process.exit(1);
});
