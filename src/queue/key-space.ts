// The Redis key layout: shared keys (proposals, worker registrations, thread index) under the installation's
// prefix, the bot's alert keys under one hash tag, and one hash-tagged key space per cluster (its BullMQ queue,
// claims and job messages), so clusters never see each other's jobs and each queue lives in one Redis Cluster slot.
import { ClusterName } from '../domain/index.js';

/** Keys of one BullMQ queue and the keys its jobs keep beside it; all share the prefix's hash tag. */
export interface QueueKeys {
  /** BullMQ's `prefix` option (its keys are `<prefix>:<queue>:…`), a `{…}` hash tag as BullMQ requires on Redis Cluster. */
  readonly prefix: string;
  jobMessages(jobId: string): string;
}

/** One cluster's keys: `{<base>:<cluster>}`. */
export interface ClusterKeys extends QueueKeys {
  readonly cluster: string;
  activeInvestigation(targetKey: string): string;
}

/** The bot's alert keys: `{<base>}` (no cluster name can produce it); the atomic step's keys share one slot. */
export interface AlertKeys extends QueueKeys {
  /** One alert incident (a workload's alerts and their thread); `key` from incidentKey(). */
  incident(key: string): string;
  /** An Alertmanager notification already taken (its retries are not counted twice). */
  notification(id: string): string;
  /** The investigations alerts started in the last minute (a sorted set by time). */
  budget(): string;
  /** A message said once (per alert group or alert), not on every repeat. */
  said(key: string): string;
}

export interface KeySpace {
  /** AUTOFIX_QUEUE_PREFIX: shared by the bot and every cluster's workers. */
  readonly base: string;
  /** A proposal's hash: shared, so the bot finds any cluster's proposal from the button's id alone. */
  proposal(id: string): string;
  /** The hash of worker registrations (every cluster's), read by the bot to route and refuse early. */
  readonly workers: string;
  /** What a Slack thread holds (its run, its latest proposal), for whoever only knows the thread. */
  thread(channel: string, threadTs: string): string;
  readonly alerts: AlertKeys;
  cluster(name: string): ClusterKeys;
}

export function clusterKeys(base: string, name: string): ClusterKeys {
  const cluster = ClusterName.parse(name);
  // `{…}` is the hash tag: on Redis Cluster a cluster's keys land in one slot, and clusters spread over masters.
  const prefix = `{${base}:${cluster}}`;
  return {
    cluster,
    prefix,
    activeInvestigation: (targetKey) => `${prefix}:active:${targetKey}`,
    jobMessages: (jobId) => `${prefix}:messages:${jobId}`,
  };
}

export function alertKeys(base: string): AlertKeys {
  const prefix = `{${base}}`;
  return {
    prefix,
    jobMessages: (jobId) => `${prefix}:messages:${jobId}`,
    incident: (key) => `${prefix}:alert:incident:${key}`,
    notification: (id) => `${prefix}:alert:notification:${id}`,
    budget: () => `${prefix}:alert:budget`,
    said: (key) => `${prefix}:alert:said:${key}`,
  };
}

export function keySpace(base: string): KeySpace {
  return {
    base,
    proposal: (id) => `${base}:proposal:${id}`,
    workers: `${base}:workers`,
    thread: (channel, threadTs) => `${base}:thread:${channel}:${threadTs}`,
    alerts: alertKeys(base),
    cluster: (name) => clusterKeys(base, name),
  };
}

/** SCAN patterns covering every key of an installation (shared, alerts, every cluster's): for resets. */
export function keyPatterns(base: string): string[] {
  return [`${base}:*`, `{${base}}:*`, `{${base}:*`];
}
