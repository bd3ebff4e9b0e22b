// The Redis key layout under one prefix: BullMQ's queue keys plus our proposals, claims and messages.
export interface KeySpace {
  /** BullMQ's `prefix` option (its keys are `<prefix>:<queue>:…`). */
  readonly prefix: string;
  proposal(id: string): string;
  activeInvestigation(targetKey: string): string;
  jobMessages(jobId: string): string;
  /** What a Slack thread holds (its run, its latest proposal), for whoever only knows the thread. */
  thread(channel: string, threadTs: string): string;
  /** One alert incident (a workload's alerts and their thread); `key` from incidentKey(). */
  alertIncident(key: string): string;
  /** An Alertmanager notification already taken (its retries are not counted twice). */
  alertNotification(id: string): string;
  /** The investigations alerts started in the last minute (a sorted set by time). */
  alertBudget(): string;
  /** A message said once (per alert group or alert), not on every repeat. */
  alertSaid(key: string): string;
}

export function keySpace(prefix: string): KeySpace {
  return {
    prefix,
    proposal: (id) => `${prefix}:proposal:${id}`,
    activeInvestigation: (targetKey) => `${prefix}:active:${targetKey}`,
    jobMessages: (jobId) => `${prefix}:messages:${jobId}`,
    thread: (channel, threadTs) => `${prefix}:thread:${channel}:${threadTs}`,
    alertIncident: (key) => `${prefix}:alert:incident:${key}`,
    alertNotification: (id) => `${prefix}:alert:notification:${id}`,
    alertBudget: () => `${prefix}:alert:budget`,
    alertSaid: (key) => `${prefix}:alert:said:${key}`,
  };
}
