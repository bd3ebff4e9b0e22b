// Irreversible loss: a change that deletes data or takes every pod down at once is refused or flagged, with the consequence said.
import { asNumber, asRecord, deepEqual, getIn } from '../domain/json-access.js';
import type { Judgement, PolicyInput } from './policy-rule.js';
import { replicaCount } from './pod-view.js';

/** `25%` of `replicas`, rounded as the controller rounds maxUnavailable (down); a number as is. */
function resolve(v: unknown, replicas: number, fallback: number): number {
  if (typeof v === 'number') return v;
  const pct = typeof v === 'string' ? /^(\d+)%$/.exec(v) : null;
  return pct ? Math.floor((Number(pct[1]) * replicas) / 100) : fallback;
}

/** How many pods a rollout of `obj` may stop before new ones are ready; `replicas` means every one. */
export function podsDownAtOnce(obj: unknown, replicas: number): number {
  const kind = asRecord(obj).kind;
  if (kind === 'Deployment') {
    const strategy = asRecord(getIn(obj, ['spec', 'strategy']));
    if (strategy.type === 'Recreate') return replicas;
    const ru = asRecord(strategy.rollingUpdate);
    return resolve(ru.maxUnavailable, replicas, Math.floor(replicas / 4));
  }
  const strategy = asRecord(getIn(obj, ['spec', 'updateStrategy']));
  if (strategy.type === 'OnDelete') return 0;
  return Math.max(1, resolve(asRecord(strategy.rollingUpdate).maxUnavailable, replicas, 1));
}

const SPEC_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['volumeClaimTemplates', 'new pods would get other volumes than the data the running pods wrote'],
  [
    'persistentVolumeClaimRetentionPolicy',
    'it decides whether scaling down or deleting the StatefulSet deletes its claims and their data',
  ],
  ['strategy', 'it decides how many pods stop at once during a rollout'],
  ['updateStrategy', 'it decides how many pods stop at once during a rollout'],
  ['minReadySeconds', 'it decides how soon a new pod counts as available, and so how fast old ones stop'],
  ['podManagementPolicy', 'it decides whether StatefulSet pods start and stop one by one or all together'],
];

const availableOf = (obj: unknown): number =>
  asNumber(
    getIn(obj, ['status', asRecord(obj).kind === 'DaemonSet' ? 'numberAvailable' : 'availableReplicas']),
  ) ?? 0;

/**
 * Refuses a StatefulSet scale-down whose claims are deleted, and changes to the fields that decide data
 * and rollout pace (with why); flags any other scale-down, and a template change whose rollout would stop
 * every available pod at once (Recreate, or a maxUnavailable of all replicas).
 */
export function irreversibleLoss({ live, proposed }: PolicyInput): Judgement {
  const out: Judgement = { violations: [], flags: [] };
  const kind = String(live.kind);
  for (const [field, why] of SPEC_FIELDS) {
    if (!deepEqual(getIn(live, ['spec', field]), getIn(proposed, ['spec', field])))
      out.violations.push(`spec.${field} must not change: ${why}`);
  }
  const before = replicaCount(live);
  const after = replicaCount(proposed);
  if (after < before) {
    const whenScaled = getIn(live, ['spec', 'persistentVolumeClaimRetentionPolicy', 'whenScaled']);
    const name = String(getIn(live, ['metadata', 'name']));
    if (kind === 'StatefulSet' && whenScaled === 'Delete')
      out.violations.push(
        `scaling StatefulSet ${name} from ${before} to ${after} replicas deletes the PersistentVolumeClaims of pods ${name}-${after} to ${name}-${before - 1} and their data (persistentVolumeClaimRetentionPolicy whenScaled: Delete)`,
      );
    else
      out.flags.push(
        `replicas go from ${before} to ${after}: ${before - after} pod(s) stop and the workload serves with less capacity${kind === 'StatefulSet' ? `; pods ${name}-${after} to ${name}-${before - 1} stop (their claims are kept)` : ''}`,
      );
  }
  const available = availableOf(live);
  const templateChanges = !deepEqual(
    getIn(live, ['spec', 'template']),
    getIn(proposed, ['spec', 'template']),
  );
  // One replica has no redundancy to lose whatever the strategy; several replicas do.
  if (templateChanges && available > 0 && after > 1 && podsDownAtOnce(live, after) >= after)
    out.flags.push(
      `the rollout stops every pod at once (the ${kind === 'Deployment' ? 'strategy' : 'updateStrategy'} allows ${after} of ${after} down): the ${available} available pod(s) stop before new ones are ready, and the workload is down meanwhile`,
    );
  return out;
}
