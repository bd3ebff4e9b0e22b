// PersistentVolumeClaims a pod template mounts that stay Pending, with the PV controller's reason (no class, unknown class, no provisioner).
import type { EventSummary, Evidence, Finding, ReferenceCheck } from '../../domain/index.js';
import type { Analyzer } from './analyzer.js';
import { makeFinding, type Source } from './make-finding.js';
import { relatedEvents } from './related-evidence.js';
import { selectPods } from './select-pods.js';

export type ClaimProblem =
  'no_storage_class' | 'unknown_storage_class' | 'no_provisioner' | 'waiting_for_consumer' | 'pending';

// The PV controller's own event texts, most specific first.
const PROBLEMS: Array<[ClaimProblem, RegExp]> = [
  ['no_storage_class', /no storage class is set/i],
  ['unknown_storage_class', /storageclass\.storage\.k8s\.io "[^"]+" not found/i],
  [
    'no_provisioner',
    /external provisioner|no volume plugin matched|didn't find available persistent volumes/i,
  ],
  ['waiting_for_consumer', /waiting for first consumer/i],
];

const PROBLEM_TEXT: Record<ClaimProblem, string> = {
  no_storage_class:
    'it names no StorageClass, the cluster has no default one and no PersistentVolume matches',
  unknown_storage_class: 'its StorageClass does not exist',
  no_provisioner: 'nothing provisions volumes for its StorageClass',
  waiting_for_consumer: 'its StorageClass binds only once a pod is scheduled, and no pod could be',
  pending: 'no volume has been bound to it',
};

export function classifyClaim(texts: string[]): ClaimProblem {
  const all = texts.join('\n');
  return PROBLEMS.find(([, re]) => re.test(all))?.[0] ?? 'pending';
}

function podsWaiting(evidence: Evidence): EventSummary[] {
  const pods = selectPods(evidence).filter((p) => p.phase === 'Pending');
  return relatedEvents(
    evidence,
    'Pod',
    pods.map((p) => p.name),
  ).filter(
    (e) => e.reason === 'FailedScheduling' && /PersistentVolumeClaim|persistent volumes/i.test(e.message),
  );
}

function toFinding(evidence: Evidence, ref: ReferenceCheck, scheduling: EventSummary[]): Finding {
  const claimEvents = relatedEvents(evidence, 'PersistentVolumeClaim', [ref.name]);
  const problem = classifyClaim(claimEvents.map((e) => e.message));
  const cls = ref.storageClass ?? null;
  const sources: Source[] = [
    'references',
    ...(claimEvents.length + scheduling.length > 0 ? (['events'] as const) : []),
  ];
  return makeFinding({
    analyzer: 'volumeClaims',
    category: 'unschedulable',
    severity: scheduling.length > 0 ? 'critical' : 'warning',
    message: `PersistentVolumeClaim ${ref.name} (${ref.usedBy}) is ${ref.claimPhase}: ${PROBLEM_TEXT[problem]}${cls ? ` (storageClassName ${cls})` : ''}, so its pods cannot be scheduled.`,
    container: null,
    facts: {
      cause: 'volume_claim',
      claim: ref.name,
      claimPhase: ref.claimPhase ?? null,
      storageClass: cls,
      claimProblem: problem,
      namespace: evidence.target.namespace,
      reasons: 'volume',
    },
    evidence: [
      `PersistentVolumeClaim ${ref.name}: status.phase ${ref.claimPhase}, spec.storageClassName ${cls ?? 'unset'}`,
      ...claimEvents.map((e) => `${e.reason}: ${e.message}`),
      ...scheduling.map((e) => e.message),
    ],
    signal: claimEvents.length > 0 ? 'explicit' : 'inferred',
    sources,
  });
}

export const volumeClaims: Analyzer = {
  name: 'volumeClaims',
  category: 'unschedulable',
  analyze(evidence) {
    const scheduling = podsWaiting(evidence);
    return evidence.references
      .filter(
        (r) => r.kind === 'PersistentVolumeClaim' && r.exists && r.claimPhase && r.claimPhase !== 'Bound',
      )
      .map((r) => toFinding(evidence, r, scheduling));
  },
};
