// The shape every policy rule shares: the target, live and proposed objects and the policy in; violations (and flags) out.
import type { KubeObject, PatchOp, ServiceSummary, Target } from '../domain/index.js';

/**
 * The policy settings the rules read. Structurally the same as config's PolicyConfig, which callers
 * pass as is; safety stays pure and does not import config.
 */
export interface PolicyConfig {
  level: 'baseline' | 'restricted';
  maxMemoryBytes: number;
  maxCpuCores: number;
  maxReplicas: number;
  /** Registry hosts (or host/path prefixes) images may come from; empty means any. */
  allowedRegistries: readonly string[];
  /** The workload's total (replicas × each pod's requests, or limits) a change may raise it to. */
  maxTotalMemoryBytes: number;
  maxTotalCpuCores: number;
}

export interface PolicyInput {
  target: Target;
  /** The object as it is in the cluster (or as collected, redacted). */
  live: KubeObject;
  /** The whole object the operations produce from `live` (metadata and status included, never cleaned). */
  proposed: KubeObject;
  /** The operations themselves: each path is judged too, not only their effect. */
  ops?: readonly PatchOp[];
  policy: PolicyConfig;
  /** Pod templates of the workload's revisions (redacted like `proposed`): a change equal to one is a rollback. */
  previousTemplates?: readonly KubeObject[];
  /** The Services of the namespace that select the workload's pods (from the evidence); absent when not collected. */
  services?: readonly ServiceSummary[];
}

/** One sentence per violation, in an order that depends only on the inputs. */
export type PolicyRule = (input: PolicyInput) => string[];

/** What a rule that can also pass a change on to a person says: refusals, and flags an approver must read. */
export interface Judgement {
  violations: string[];
  /** Shown in full above the diff; `fix --yes` and the eval never apply a flagged change. */
  flags: string[];
}

export type JudgingRule = (input: PolicyInput) => Judgement;

/** A rule that only refuses, as a judging rule. */
export const refuses =
  (rule: PolicyRule): JudgingRule =>
  (input) => ({ violations: rule(input), flags: [] });
