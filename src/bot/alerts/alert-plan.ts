// One webhook → the items of the atomic Redis step (pure): target, route, allowlist and incident key per alert.
import { hash as digest, randomBytes } from 'node:crypto';
import type { AlertsConfig } from '../../config/config.js';
import { ClusterName, type AlertTrigger, type TargetRef } from '../../domain/index.js';
import type { AlertFacts, AlertItem, SayItem } from '../../queue/alert-incidents.js';
import type { AlertmanagerAlert, AlertmanagerPayload } from './alertmanager-payload.js';
import { alertTarget, workloadStem } from './alert-target.js';

/** What each step item stands for, so the step's results can be turned into the alert job. */
export type PlannedItem =
  | {
      kind: 'alert';
      item: AlertItem;
      channel: string;
      ref: TargetRef;
      trigger: AlertTrigger;
      cluster: string;
    }
  | { kind: 'refused'; item: SayItem; namespace: string }
  | { kind: 'unresolvable'; item: SayItem; channel: string; alertname: string; why: string };

export interface AlertPlan {
  items: PlannedItem[];
  /** Where refusals and unrouted alerts go (the `*` route). */
  defaultChannel: string;
  /** Alerts that needed no step: resolved alerts we would not have acted on. */
  skipped: number;
}

const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/u;
const HIDDEN_ALL = new RegExp(HIDDEN.source, 'gu');

/** Strips what would not show as itself (control and format characters) and bounds the length. */
export function cleanText(s: string | undefined, max: number): string | null {
  if (s === undefined) return null;
  // Most text has none: the test spares the replacement's copy of every label and annotation.
  const shown = HIDDEN.test(s) ? s.replace(HIDDEN_ALL, (ch) => (ch === '\n' || ch === '\t' ? ch : ' ')) : s;
  const out = shown.trim();
  if (out === '') return null;
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

/** One-shot SHA-256 (crypto.hash: no Hash object per call; the same digest as createHash). */
const hash = (s: string): string => digest('sha256', s, 'hex').slice(0, 32);

/** Incidents are per workload (its name guessed from a pod's), per namespace and per cluster. */
export function incidentKey(ref: TargetRef, cluster: string | null): string {
  return hash(`${cluster ?? ''}\u0000${ref.namespace}\u0000${workloadStem(ref)}`);
}

/** What every alert of a webhook shares, cleaned once per webhook rather than once per alert. */
interface Shared {
  common: Readonly<Record<string, string>>;
  externalURL: string | null;
  groupKey: string;
}

function sharedOf(payload: AlertmanagerPayload): Shared {
  return {
    common: payload.commonAnnotations,
    externalURL: cleanText(payload.externalURL, 3000),
    groupKey: cleanText(payload.groupKey, 2000) ?? '',
  };
}

/** An annotation of the alert, else the group's common one. */
const annotation = (a: AlertmanagerAlert, shared: Shared, name: string): string | undefined =>
  Object.hasOwn(a.annotations, name) ? a.annotations[name] : shared.common[name];

function factsOf(a: AlertmanagerAlert, shared: Shared): AlertFacts {
  return {
    alertname: cleanText(a.labels.alertname, 200) ?? '(unnamed alert)',
    severity: cleanText(a.labels.severity, 100),
    summary: cleanText(annotation(a, shared, 'summary') ?? annotation(a, shared, 'message'), 1000),
    description: cleanText(annotation(a, shared, 'description'), 2000),
    startsAt: a.startsAt,
    generatorURL: cleanText(a.generatorURL, 3000),
    externalURL: shared.externalURL,
    fingerprint: a.fingerprint,
    groupKey: shared.groupKey,
    cluster: cleanText(a.labels.cluster, 253),
  };
}

/** Ids for the incidents a webhook may create: one read of random bytes, 16 hex digits each. */
function incidentIds(count: number): () => string {
  const hex = randomBytes(8 * Math.max(count, 1)).toString('hex');
  let next = 0;
  return () => hex.slice(16 * next, 16 * ++next);
}

/**
 * The channel for a namespace: its route, else the default. Hook for one bot serving several clusters:
 * the alert's `cluster` label (carried on the trigger) is where a per-cluster route would be looked up.
 */
export function channelFor(config: AlertsConfig, namespace: string | null): string {
  return (
    (namespace !== null && Object.hasOwn(config.routes, namespace) ? config.routes[namespace] : null) ??
    config.routes['*']!
  );
}

/** The cluster an alert's investigation runs on: its `cluster` label when that is a cluster name, else `fallback`. */
export function alertCluster(label: string | null, fallback: string): string {
  return label !== null && ClusterName.safeParse(label).success ? label : fallback;
}

/** `defaultCluster`: where alerts without a usable `cluster` label go (the bot's AUTOFIX_CLUSTER). */
export function planAlerts(
  payload: AlertmanagerPayload,
  config: AlertsConfig,
  allowedNamespaces: readonly string[],
  defaultCluster: string,
): AlertPlan {
  const items: PlannedItem[] = [];
  let skipped = 0;
  const group = hash(payload.groupKey);
  const shared = sharedOf(payload);
  const newId = incidentIds(payload.alerts.length);
  for (const a of payload.alerts) {
    const target = alertTarget(a.labels);
    const namespace = a.labels.namespace || null;
    if (namespace !== null && !allowedNamespaces.includes(namespace)) {
      // Said once per group; a resolved alert of a group we never acted on says nothing.
      if (a.status === 'firing')
        items.push({ kind: 'refused', item: { kind: 'say', key: `refused:${group}` }, namespace });
      else skipped++;
      continue;
    }
    const facts = factsOf(a, shared);
    if (target.kind === 'unresolvable') {
      if (a.status === 'firing')
        items.push({
          kind: 'unresolvable',
          item: { kind: 'say', key: `labels:${a.fingerprint}` },
          channel: channelFor(config, namespace),
          alertname: facts.alertname,
          why: target.why,
        });
      else skipped++;
      continue;
    }
    const channel = channelFor(config, target.ref.namespace);
    const cluster = alertCluster(facts.cluster, defaultCluster);
    items.push({
      kind: 'alert',
      channel,
      cluster,
      ref: target.ref,
      trigger: {
        kind: 'alert',
        alertname: facts.alertname,
        severity: facts.severity,
        fingerprint: facts.fingerprint,
        groupKey: facts.groupKey,
        startsAt: facts.startsAt,
        cluster: facts.cluster,
      },
      item: {
        kind: 'alert',
        incident: incidentKey(target.ref, cluster),
        fingerprint: a.fingerprint,
        status: a.status,
        endsAt: a.endsAt,
        create: { id: newId(), channel, ref: target.ref, facts },
      },
    });
  }
  return { items, defaultChannel: config.routes['*']!, skipped };
}
