// collect: the read-only, bounded, redacted Evidence bundle for one workload.
import type {
  Evidence,
  KubeObject,
  LogTail,
  PodSummary,
  ServiceSummary,
  Target,
} from '../../domain/index.js';
import { AutofixError, ErrorCode, describeTarget } from '../../domain/index.js';
import type { Cluster } from '../../k8s/cluster.js';
import type { KnownValues } from '../../safety/known-values.js';
import { redactObject, redactText } from '../../safety/redact.js';
import type { Sealed } from '../change/rehydrate-patch.js';
import { readKnownValues } from './collect-secret-values.js';
import { checkDependencies } from './collect-dependencies.js';
import { checkReferences, podTemplateReferences } from './collect-references.js';
import { asRecord } from '../../domain/json-access.js';
import {
  arr,
  summarizeControllerRevisions,
  summarizeEvent,
  summarizeNode,
  summarizePod,
  summarizeQuota,
  summarizeReplicaSets,
  summarizeWorkloadStatus,
} from './summarize.js';

export interface CollectLimits {
  /** Pods whose logs are read (the least healthy first). */
  maxLogPods: number;
  tailLines: number;
  limitBytes: number;
  maxReferenceLookups: number;
  maxEvents: number;
}

export const DEFAULT_LIMITS: CollectLimits = {
  maxLogPods: 2,
  tailLines: 50,
  limitBytes: 16_384,
  maxReferenceLookups: 10,
  maxEvents: 60,
};

export function selectorOf(workload: KubeObject): string {
  const labels = asRecord(asRecord(asRecord(workload.spec).selector).matchLabels);
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');
}

/** A list call whose failure becomes a gap in the evidence instead of failing the investigation. */
async function orGap<T>(gaps: string[], what: string, fn: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    gaps.push(`${what}: ${e instanceof AutofixError ? e.message : String(e)}`);
    return fallback;
  }
}

function unhealthiness(p: PodSummary): number {
  const restarts = p.containers.reduce((n, c) => n + c.restartCount, 0);
  const notReady = p.containers.filter((c) => !c.ready).length;
  return notReady * 1000 + restarts;
}

async function collectLogs(
  cluster: Cluster,
  ns: string,
  pods: PodSummary[],
  limits: CollectLimits,
  gaps: string[],
  known: KnownValues,
): Promise<LogTail[]> {
  const chosen = pods
    .filter((p) => !p.deleting && p.nodeName)
    .sort((a, b) => unhealthiness(b) - unhealthiness(a))
    .slice(0, limits.maxLogPods);
  const wanted: Array<{ pod: string; container: string; previous: boolean }> = [];
  for (const p of chosen) {
    // Init containers too: an Init:CrashLoopBackOff's reason is in its own log.
    for (const c of [...p.initContainers, ...p.containers]) {
      // A container that never started has no logs; asking would only cost a call.
      const everRan = c.state.running !== null || c.state.terminated !== null || c.restartCount > 0;
      if (everRan) wanted.push({ pod: p.name, container: c.name, previous: false });
      if (c.restartCount > 0 || c.lastState.terminated)
        wanted.push({ pod: p.name, container: c.name, previous: true });
    }
  }
  return Promise.all(
    wanted.map(async (w): Promise<LogTail> => {
      try {
        const text = await cluster.readLog(ns, w.pod, {
          container: w.container,
          previous: w.previous,
          tailLines: limits.tailLines,
          limitBytes: limits.limitBytes,
        });
        // Redacted whole before splitting: a PEM block or a multi-line token spans lines.
        const lines = redactText(text, known)
          .split('\n')
          .filter((l) => l.length > 0);
        const truncated = lines.length >= limits.tailLines || Buffer.byteLength(text) >= limits.limitBytes;
        return { ...w, lines, truncated, error: null };
      } catch (e) {
        if (e instanceof AutofixError && e.code === ErrorCode.Forbidden)
          gaps.push(`logs of ${w.pod}/${w.container}: ${e.message}`);
        return {
          ...w,
          lines: [],
          truncated: false,
          error: redactText(e instanceof Error ? e.message : String(e), known),
        };
      }
    }),
  );
}

function summarizeServices(
  services: KubeObject[],
  slices: KubeObject[],
  podLabels: Record<string, string>,
): ServiceSummary[] {
  return services
    .map((svc) => {
      const selector = Object.fromEntries(
        Object.entries(asRecord(asRecord(svc.spec).selector)).map(([k, v]) => [k, String(v)]),
      );
      return { svc, selector };
    })
    .filter(
      ({ selector }) =>
        Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => podLabels[k] === v),
    )
    .map(({ svc, selector }) => {
      const name = String(asRecord(svc.metadata).name);
      const endpoints = slices
        .filter((s) => asRecord(asRecord(s.metadata).labels)['kubernetes.io/service-name'] === name)
        .flatMap((s) => arr(s.endpoints));
      const ready = endpoints.filter((e) => asRecord(e.conditions).ready === true).length;
      return {
        name,
        selector,
        ports: arr(asRecord(svc.spec).ports).map((p) => ({
          port: Number(p.port),
          targetPort:
            typeof p.targetPort === 'string' || typeof p.targetPort === 'number'
              ? p.targetPort
              : Number(p.port),
        })),
        readyEndpoints: ready,
        notReadyEndpoints: endpoints.length - ready,
      };
    });
}

/**
 * What collect returns: the redacted evidence everyone may see, and the unredacted live object and
 * revision templates, which stay in memory to put real values back into a patch (never logged), with
 * the matcher for the workload's secret values the evidence was redacted with.
 */
export interface Collected {
  evidence: Evidence;
  sealed: Sealed;
}

/** Collects the evidence for `target`; throws TARGET_NOT_FOUND when it does not exist. */
export async function collectEvidence(
  cluster: Cluster,
  target: Target,
  limits: CollectLimits = DEFAULT_LIMITS,
): Promise<Collected> {
  const start = cluster.apiCalls();
  const ns = target.namespace;
  const workload = await cluster.getWorkload(target);
  if (!workload) {
    throw new AutofixError(
      ErrorCode.TargetNotFound,
      `${target.kind} "${target.name}" was not found in namespace "${ns}".`,
      {
        hint: `Check the name and namespace (looked up ${describeTarget(target)} as ${cluster.identity}).`,
      },
    );
  }
  const gaps: string[] = [];
  // The workload's own secret values first: everything below is redacted with them.
  const known = await readKnownValues(cluster, ns, workload, gaps);
  const selector = selectorOf(workload);
  const revisionResource = target.kind === 'Deployment' ? 'replicasets' : 'controllerrevisions';
  const [podObjs, revisionObjs, eventObjs, services, slices, quotas, limitRanges, nodes] = await Promise.all([
    orGap(gaps, 'pods', () => cluster.list('pods', ns, { labelSelector: selector }), []),
    orGap(gaps, revisionResource, () => cluster.list(revisionResource, ns, { labelSelector: selector }), []),
    orGap(gaps, 'events', () => cluster.list('events', ns), []),
    orGap(gaps, 'services', () => cluster.list('services', ns), []),
    orGap(gaps, 'endpointslices', () => cluster.list('endpointslices', ns), []),
    orGap(gaps, 'resourcequotas', () => cluster.list('resourcequotas', ns), []),
    orGap(gaps, 'limitranges', () => cluster.list('limitranges', ns), []),
    orGap(gaps, 'nodes', () => cluster.listNodes(), []),
  ]);
  // Termination and waiting messages carry log tails (FallbackToLogsOnError): redacted like logs.
  const pods = podObjs.map((p) => redactObject(summarizePod(p), known));
  const revisions =
    target.kind === 'Deployment'
      ? summarizeReplicaSets(workload, revisionObjs)
      : summarizeControllerRevisions(workload, revisionObjs, pods);
  const templateRefs = podTemplateReferences(asRecord(workload.spec).template);
  // The PV controller reports why a claim stays Pending on the claim itself (no class, unknown class…).
  const involved = new Set([
    `${target.kind}/${target.name}`,
    ...revisions.map((r) => `ReplicaSet/${r.name}`),
    ...pods.map((p) => `Pod/${p.name}`),
    ...templateRefs
      .filter((r) => r.kind === 'PersistentVolumeClaim')
      .map((r) => `PersistentVolumeClaim/${r.name}`),
  ]);
  const events = eventObjs
    .map(summarizeEvent)
    .filter((e) => involved.has(`${e.kind}/${e.name}`))
    .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''))
    .slice(0, limits.maxEvents)
    .map((e) => ({ ...e, message: redactText(e.message, known) }));
  const refs = await orGap(
    gaps,
    'references',
    () => checkReferences(cluster, ns, templateRefs, limits.maxReferenceLookups),
    {
      checks: [],
      unchecked: [],
    },
  );
  for (const u of refs.unchecked)
    gaps.push(`${u}: not checked (reference lookup budget of ${limits.maxReferenceLookups} reached)`);
  const logs = await collectLogs(cluster, ns, pods, limits, gaps, known);
  const podLabels = asRecord(asRecord(asRecord(asRecord(workload.spec).template).metadata).labels) as Record<
    string,
    string
  >;
  const meta = { ...asRecord(workload.metadata) };
  delete meta.managedFields;
  const live = { ...workload, metadata: meta };
  const evidence: Evidence = {
    target,
    collectedAt: new Date().toISOString(),
    workload: redactObject(live, known),
    status: summarizeWorkloadStatus(workload),
    revisions: revisions.map((r) => ({ ...r, template: redactObject(r.template, known) })),
    pods,
    events,
    logs,
    references: refs.checks,
    services: summarizeServices(services, slices, podLabels),
    dependencies: checkDependencies(logs, ns, services, slices),
    quotas: quotas.map(summarizeQuota),
    limitRanges: limitRanges.map((l) => ({
      name: String(asRecord(l.metadata).name),
      limits: arr(asRecord(l.spec).limits),
    })),
    nodes: nodes.map(summarizeNode),
    apiCalls: cluster.apiCalls() - start,
    gaps,
  };
  return { evidence, sealed: { live, templates: revisions.map((r) => r.template), known } };
}
