// unschedulable: pods the scheduler cannot place, with requests vs the largest node and selector/taint mismatches.
import type { Evidence, Finding, NodeSummary, PodSummary } from '../../domain/index.js';
import { formatBytes, formatCpu, parseQuantity } from '../../domain/index.js';
import type { Analyzer } from './analyzer.js';
import { distinct } from './container-hits.js';
import { makeFinding, type Source } from './make-finding.js';
import {
  workloadTemplate,
  type ContainerSpec,
  type PodTemplateView,
  type Toleration,
} from './pod-template.js';
import { relatedEvents } from './related-evidence.js';
import { parseSchedulerMessage, type SchedulerVerdict } from './scheduler-message.js';
import { selectPods } from './select-pods.js';

function isUnschedulable(pod: PodSummary): boolean {
  return pod.conditions.some(
    (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
  );
}

/** What a container asks the scheduler for; an unset request defaults to the limit. */
function request(c: ContainerSpec, resource: string): number {
  return parseQuantity(c.requests[resource] ?? c.limits[resource] ?? '0') ?? 0;
}

/** Effective pod request: sum of app containers, or the largest init container if that is bigger. */
export function podRequest(view: PodTemplateView, resource: string): number {
  const sum = view.containers.reduce((n, c) => n + request(c, resource), 0);
  return Math.max(sum, ...view.initContainers.map((c) => request(c, resource)));
}

const MI = 2 ** 20;

/** Memory for people and facts in whole Mi: capacity rounds down, requests round up, so comparisons stay true. */
function memoryText(bytes: number, round: 'down' | 'up' = 'down'): string {
  if (bytes % MI === 0) return formatBytes(bytes);
  return `${round === 'down' ? Math.floor(bytes / MI) : Math.ceil(bytes / MI)}Mi`;
}

function largest(nodes: NodeSummary[], resource: string): number | null {
  const values = nodes.flatMap((n) => parseQuantity(n.allocatable[resource] ?? '') ?? []);
  return values.length > 0 ? Math.max(...values) : null;
}

function tolerates(tolerations: Toleration[], taint: NodeSummary['taints'][number]): boolean {
  return tolerations.some(
    (t) =>
      (t.key === null ? t.operator === 'Exists' : t.key === taint.key) &&
      (t.operator === 'Exists' || (t.value ?? '') === (taint.value ?? '')) &&
      (t.effect === null || t.effect === taint.effect),
  );
}

function untoleratedTaints(nodes: NodeSummary[], view: PodTemplateView): string[] {
  const taints = nodes
    .flatMap((n) => n.taints)
    .filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  return distinct(
    taints
      .filter((t) => !tolerates(view.tolerations, t))
      .map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`),
  );
}

interface Placement {
  verdict: SchedulerVerdict;
  memory: number;
  cpu: number;
  maxMemory: number | null;
  maxCpu: number | null;
  selector: string | null;
  matchingNodes: number | null;
  taints: string[];
  affinity: boolean;
}

function placement(evidence: Evidence, message: string): Placement {
  const view = workloadTemplate(evidence);
  const nodes = evidence.nodes.filter((n) => !n.unschedulable);
  const selectorPairs = Object.entries(view.nodeSelector);
  return {
    verdict: parseSchedulerMessage(message),
    memory: podRequest(view, 'memory'),
    cpu: podRequest(view, 'cpu'),
    maxMemory: largest(nodes, 'memory'),
    maxCpu: largest(nodes, 'cpu'),
    selector: selectorPairs.length > 0 ? selectorPairs.map(([k, v]) => `${k}=${v}`).join(',') : null,
    matchingNodes:
      selectorPairs.length > 0 && evidence.nodes.length > 0
        ? evidence.nodes.filter((n) => selectorPairs.every(([k, v]) => n.labels[k] === v)).length
        : null,
    taints: untoleratedTaints(evidence.nodes, view),
    affinity: view.hasAffinity,
  };
}

function reasons(p: Placement): string[] {
  const out = Object.keys(p.verdict.insufficient).map((r) => `insufficient_${r}`);
  if (p.verdict.selectorMismatch > 0 || p.matchingNodes === 0) out.push('node_selector');
  if (p.verdict.taints.length > 0) out.push('taint');
  if (p.verdict.cordoned > 0) out.push('cordoned');
  if (p.verdict.podAffinity > 0) out.push('pod_affinity');
  if (p.verdict.unboundPvc) out.push('volume');
  return out;
}

function explain(p: Placement, message: string): string {
  const parts: string[] = [];
  const total = p.verdict.nodesTotal ?? '?';
  const short = p.verdict.insufficient;
  if (short.memory)
    parts.push(
      `${short.memory}/${total} nodes lack memory for its ${memoryText(p.memory, 'up')} request${p.maxMemory === null ? '' : ` (largest node allocatable ${memoryText(p.maxMemory)})`}`,
    );
  if (short.cpu)
    parts.push(
      `${short.cpu}/${total} nodes lack CPU for its ${formatCpu(p.cpu)} request${p.maxCpu === null ? '' : ` (largest node allocatable ${formatCpu(p.maxCpu)})`}`,
    );
  if (p.selector && (p.verdict.selectorMismatch > 0 || p.matchingNodes === 0))
    parts.push(`${p.matchingNodes ?? 'no'} nodes match its nodeSelector ${p.selector}`);
  else if (p.verdict.selectorMismatch > 0)
    parts.push(`${p.verdict.selectorMismatch}/${total} nodes do not match its node affinity`);
  if (p.verdict.taints.length > 0)
    parts.push(`nodes carry taints it does not tolerate (${p.verdict.taints.join('; ')})`);
  return parts.length > 0 ? parts.join('; ') : `the scheduler says "${message}"`;
}

function toFinding(
  evidence: Evidence,
  pods: PodSummary[],
  message: string,
  quotes: string[],
  fromEvents: boolean,
): Finding {
  const p = placement(evidence, message);
  const sources: Source[] = ['status', 'spec'];
  if (fromEvents) sources.push('events');
  if (evidence.nodes.length > 0) sources.push('nodes');
  return makeFinding({
    analyzer: 'unschedulable',
    category: 'unschedulable',
    severity: 'critical',
    message: `Pod ${pods[0]!.name} cannot be scheduled: ${explain(p, message)}.`,
    container: null,
    facts: {
      reasons: reasons(p).join(',') || 'unknown',
      nodesTotal: p.verdict.nodesTotal,
      insufficient: Object.keys(p.verdict.insufficient).join(',') || null,
      requestedMemory: p.memory > 0 ? memoryText(p.memory, 'up') : null,
      requestedCpu: p.cpu > 0 ? formatCpu(p.cpu) : null,
      largestAllocatableMemory: p.maxMemory === null ? null : memoryText(p.maxMemory),
      largestAllocatableCpu: p.maxCpu === null ? null : formatCpu(p.maxCpu),
      fitsLargestNode:
        p.maxMemory === null || p.maxCpu === null ? null : p.memory <= p.maxMemory && p.cpu <= p.maxCpu,
      nodeSelector: p.selector,
      matchingNodes: p.matchingNodes,
      // Taints read from the nodes are exact; the scheduler's text is the fallback when nodes were not readable.
      untoleratedTaints: (p.taints.length > 0 ? p.taints : p.verdict.taints).join(',') || null,
      hasAffinity: p.affinity,
      unboundPvc: p.verdict.unboundPvc,
      pod: pods[0]!.name,
      pods: pods.length,
    },
    evidence: quotes,
    signal: 'explicit',
    sources,
  });
}

export const unschedulable: Analyzer = {
  name: 'unschedulable',
  category: 'unschedulable',
  analyze(evidence) {
    const live = selectPods(evidence).filter((p) => p.phase === 'Pending');
    const events = relatedEvents(
      evidence,
      'Pod',
      live.map((p) => p.name),
    ).filter((e) => e.reason === 'FailedScheduling');
    const pods = live.filter((p) => isUnschedulable(p) || events.some((e) => e.name === p.name));
    if (pods.length === 0) return [];
    const conditionMessages = pods.flatMap((p) =>
      p.conditions.filter((c) => c.type === 'PodScheduled' && c.message).map((c) => c.message!),
    );
    const message = events[0]?.message ?? conditionMessages[0] ?? 'Unschedulable';
    const quotes = distinct([...events.map((e) => e.message), ...conditionMessages]);
    return [toFinding(evidence, pods, message, quotes, events.length > 0)];
  },
};
