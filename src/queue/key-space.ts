// The Redis key layout under one prefix: BullMQ's queue keys plus our proposals, claims and messages.
export interface KeySpace {
  /** BullMQ's `prefix` option (its keys are `<prefix>:<queue>:…`). */
  readonly prefix: string;
  proposal(id: string): string;
  activeInvestigation(targetKey: string): string;
  jobMessages(jobId: string): string;
}

export function keySpace(prefix: string): KeySpace {
  return {
    prefix,
    proposal: (id) => `${prefix}:proposal:${id}`,
    activeInvestigation: (targetKey) => `${prefix}:active:${targetKey}`,
    jobMessages: (jobId) => `${prefix}:messages:${jobId}`,
  };
}
