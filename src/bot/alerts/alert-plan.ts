// One webhook → the items of the atomic Redis step (pure): target, route, allowlist and incident key per alert.
import { createHash, randomBytes } from 'node:crypto';
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

/** Strips what would not show as itself (control and format characters) and bounds the length. */
export function cleanText(s: string | undefined, max: number): string | null {
  if (s === undefined) return null;
  const out = s
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/gu, (ch) => (ch === '\n' || ch === '\t' ? ch : ' '))
    .trim();
  if (out === '') return null;
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

const hash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 32);

/** Incidents are per workload (its name guessed from a pod's), per namespace and per cluster. */
export function incidentKey(ref: TargetRef, cluster: string | null): string {
  return hash(`${cluster ?? ''}\u0000${ref.namespace}\u0000${workloadStem(ref)}`);
}

function factsOf(a: AlertmanagerAlert, payload: AlertmanagerPayload): AlertFacts {
  const ann = { ...payload.commonAnnotations, ...a.annotations };
  return {
    alertname: cleanText(a.labels.alertname, 200) ?? '(unnamed alert)',
    severity: cleanText(a.labels.severity, 100),
    summary: cleanText(ann.summary ?? ann.message, 1000),
    description: cleanText(ann.description, 2000),
    startsAt: a.startsAt,
    generatorURL: cleanText(a.generatorURL, 3000),
    externalURL: cleanText(payload.externalURL, 3000),
    fingerprint: a.fingerprint,
    groupKey: cleanText(payload.groupKey, 2000) ?? '',
    cluster: cleanText(a.labels.cluster, 253),
  };
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
    const facts = factsOf(a, payload);
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
        create: { id: randomBytes(8).toString('hex'), channel, ref: target.ref, facts },
      },
    });
  }
  return { items, defaultChannel: config.routes['*']!, skipped };
}
