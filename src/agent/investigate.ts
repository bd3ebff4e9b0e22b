// The investigation loop: collect → iterate (≤ N) until a proposal passes every check, tracked in one run.
import type { Config } from '../config/config.js';
import {
  DEFAULT_CLUSTER,
  NO_SPEND,
  addSpend,
  summarizeDiagnosis,
  type CeilingHit,
  type LlmSpend,
  type AlertTrigger,
  type Diagnosis,
  type Evidence,
  type Finding,
  type InvestigationResult,
  type KubeObject,
  type Proposal,
  type Target,
  type Validation,
} from '../domain/index.js';
import type { Cluster } from '../k8s/cluster.js';
import { agentVersion } from '../observability/version.js';
import { promptsOf } from './diagnose/llm/prompts/prompt-set.js';
import type { InvestigationRun, RunHandle, Tracker } from '../tracking/tracker.js';
import { collectEvidence, type Collected } from './collect/collect.js';
import { historyHints } from '../tracking/past-incidents.js';
import { tellInvestigation } from './tell-investigation.js';
import type { AttemptFeedback, DiagnosisEngine, DiagnosisInput } from './diagnose/engine.js';
import { noProgress, type ProgressSink } from './progress.js';
import { runIteration } from './run-iteration.js';

export interface AgentDeps {
  cluster: Cluster;
  engine: DiagnosisEngine;
  tracker: Tracker;
  config: Pick<Config, 'maxIterations' | 'policy' | 'logPrompts' | 'rolloutTimeoutSeconds' | 'gitopsMode'>;
  progress?: ProgressSink;
  /**
   * Set when no identity may make the server dry-run (AUTOFIX_APPLY_AS=approver, the requester unmapped):
   * why, in words. The change is proposed after schema and policy, and the server judges it at apply.
   */
  dryRunDeferred?: string | null;
}

export interface InvestigateOptions {
  /** The name `deps.cluster` goes by (AUTOFIX_CLUSTER of the process investigating); default `default`. */
  clusterName?: string;
  requestedBy?: string | null;
  channel?: string | null;
  /** The Slack thread's permalink, and the session that groups every round's trace in MLflow. */
  threadUrl?: string | null;
  sessionId?: string | null;
  /** The alert that started it (tagged on the run and told in its story); absent when a person asked. */
  alert?: AlertTrigger | null;
  /** Earlier failures (e.g. a rollout that did not heal) that this investigation continues from. */
  previousAttempts?: AttemptFeedback[];
  /** Reuse a tracked run (a new iteration of the same investigation). */
  run?: InvestigationRun;
  firstIteration?: number;
  /** When the investigation began (performance.now()), for a continued one; its timings count from there. */
  startedAt?: number;
  /** A continued investigation's LLM usage so far: its ceilings count it. */
  spent?: LlmSpend;
  /** Keeps the LLM spend around each call, where a retry of a killed attempt starts (DiagnosisInput.keepSpend). */
  keepSpend?: DiagnosisInput['keepSpend'];
}

export interface Investigation {
  /** The cluster's name (AUTOFIX_CLUSTER): carried into the proposal, the run's tags and the result. */
  cluster: string;
  target: Target;
  outcome: 'healthy' | 'proposed' | 'no_safe_fix';
  evidence: Evidence;
  findings: Finding[];
  diagnosis: Diagnosis | null;
  proposal: Proposal | null;
  validation: Validation | null;
  iterations: number;
  attempts: AttemptFeedback[];
  run: InvestigationRun;
  startedAt: number;
  /** The LLM calls of the whole investigation (earlier rounds included); null when the rule engine alone runs. */
  llm: LlmSpend | null;
  /** The ceiling that stopped the LLM, when one did. */
  ceiling: CeilingHit | null;
}

async function collectTracked(
  cluster: Cluster,
  target: Target,
  run: RunHandle,
  n: number,
  progress: ProgressSink,
): Promise<Collected> {
  progress({
    stage: 'collect',
    iteration: n,
    message: `reading ${target.kind.toLowerCase()}/${target.name} and its pods, events and logs`,
  });
  const t0 = performance.now();
  const span = run.startSpan('collect', 'retriever');
  try {
    const collected = await collectEvidence(cluster, target);
    span.setAttributes({ api_calls: collected.evidence.apiCalls, pods: collected.evidence.pods.length });
    span.end();
    await run.logMetrics(
      { collect_seconds: (performance.now() - t0) / 1000, api_calls: collected.evidence.apiCalls },
      n,
    );
    return collected;
  } catch (e) {
    span.end(e);
    throw e;
  }
}

/** Opens the investigation's tracked run; the tracker records the run-level params and tags. */
export function startRun(
  tracker: Tracker,
  target: Target,
  deps: AgentDeps,
  opts: InvestigateOptions,
): Promise<InvestigationRun> {
  return tracker.startInvestigation({
    target,
    engine: deps.engine.name,
    model: deps.engine.model,
    maxIterations: deps.config.maxIterations,
    policyLevel: deps.config.policy.level,
    agentVersion: agentVersion(),
    cluster: opts.clusterName ?? DEFAULT_CLUSTER,
    prompts: promptsOf(deps.engine.name),
    requestedBy: opts.requestedBy ?? null,
    channel: opts.channel ?? null,
    threadUrl: opts.threadUrl ?? null,
    sessionId: opts.sessionId ?? null,
    alert: opts.alert ?? null,
  });
}

/** Investigates `target` and proposes at most one validated change. Applies nothing. */
export async function investigate(
  target: Target,
  deps: AgentDeps,
  opts: InvestigateOptions = {},
): Promise<Investigation> {
  const progress = deps.progress ?? noProgress;
  const startedAt = opts.startedAt ?? performance.now();
  const run = opts.run ?? (await startRun(deps.tracker, target, deps, opts));
  const attempts: AttemptFeedback[] = [...(opts.previousAttempts ?? [])];
  const first = opts.firstIteration ?? 1;
  let collected: Collected | null = null;
  let last: Omit<
    Investigation,
    'run' | 'startedAt' | 'target' | 'attempts' | 'cluster' | 'llm' | 'ceiling'
  > | null = null;
  let spent = opts.spent ?? NO_SPEND;
  let ceiling: CeilingHit | null = null;

  for (let n = first; n < first + deps.config.maxIterations; n++) {
    const iterationRun = await run.startIteration(n);
    const t0 = performance.now();
    try {
      // Evidence is re-read only when nothing is cached; validation failures do not change the cluster.
      collected ??= await collectTracked(deps.cluster, target, iterationRun, n, progress);
      await iterationRun.logArtifact('evidence.json', collected.evidence);
      const out = await runIteration(
        {
          cluster: deps.cluster,
          engine: deps.engine,
          config: deps.config,
          progress,
          dryRunDeferred: deps.dryRunDeferred ?? null,
        },
        {
          n,
          evidence: collected.evidence,
          sealed: collected.sealed,
          previousAttempts: attempts,
          run: iterationRun,
          history: historyHints(run.past),
          replayRun: run,
          spent,
          ...(opts.keepSpend ? { keepSpend: opts.keepSpend } : {}),
        },
      );
      spent = addSpend(spent, out.llm.usage);
      ceiling = out.llm.ceiling ?? ceiling;
      const base = {
        evidence: collected.evidence,
        findings: out.findings,
        diagnosis: out.diagnosis,
        iterations: n - first + 1,
      };
      if (out.kind === 'rejected') {
        attempts.push(out.feedback);
        progress({ stage: 'validate', iteration: n, message: `rejected: ${out.feedback.errors.join('; ')}` });
        last = { ...base, outcome: 'no_safe_fix', proposal: null, validation: out.validation };
      } else {
        last = {
          ...base,
          outcome: out.kind === 'healthy' ? 'healthy' : out.kind === 'proposed' ? 'proposed' : 'no_safe_fix',
          proposal: out.kind === 'proposed' ? out.proposal : null,
          validation: out.kind === 'proposed' ? out.proposal.validation : null,
        };
      }
      await iterationRun.logMetrics({ iteration_seconds: (performance.now() - t0) / 1000 }, n);
      await iterationRun.end(out.kind === 'rejected' ? 'FAILED' : 'FINISHED');
      if (out.kind !== 'rejected') break;
    } catch (e) {
      await iterationRun.end('FAILED');
      throw e;
    }
  }
  if (!last) throw new Error('maxIterations must be at least 1');
  // The run's creation and the history read ran beside the investigation: the link and "seen before".
  await run.settled();
  last = await tellInvestigation(last, run);
  const seconds = (performance.now() - startedAt) / 1000;
  const llm = deps.engine.name === 'rules' ? null : spent;
  await run.logMetrics({
    iterations: last.iterations,
    ...(last.outcome === 'proposed' ? { time_to_proposal_seconds: seconds } : {}),
    ...llmTotals(llm),
  });
  const tags: Record<string, string> = { 'autofix.outcome': last.outcome };
  if (last.diagnosis) tags['autofix.category'] = last.diagnosis.category;
  if (ceiling) tags['autofix.llm.ceiling'] = ceiling.ceiling;
  await run.setTags(tags);
  return {
    ...last,
    cluster: opts.clusterName ?? DEFAULT_CLUSTER,
    target,
    attempts,
    run,
    startedAt,
    llm,
    ceiling,
  };
}

/** The investigation's LLM totals as run metrics (the cost only when every call's model has a price). */
function llmTotals(llm: LlmSpend | null): Record<string, number> {
  if (!llm) return {};
  return {
    llm_calls: llm.calls,
    llm_tokens: llm.promptTokens + llm.completionTokens,
    ...(llm.costUsd === null ? {} : { llm_cost_usd: llm.costUsd }),
  };
}

/** The diagnosis as results report it. */
export function resultDiagnosis(d: Diagnosis | null): InvestigationResult['diagnosis'] {
  return d ? summarizeDiagnosis(d) : null;
}

/** The proposal as results (and approvers) see it: computed sentences, the engine's words labelled, the diff. */
export function resultProposal(p: Proposal | null): InvestigationResult['proposal'] {
  return p
    ? {
        changes: p.changes,
        engineExplanation: p.change.summary,
        diff: p.diff,
        manifest: p.manifest as KubeObject,
        ...(p.gitops ? { gitops: p.gitops } : {}),
      }
    : null;
}

/** The public `--json` shape of an investigation (see docs/ARCHITECTURE.md). */
export function toResult(
  inv: Investigation,
  extra: Partial<Pick<InvestigationResult, 'outcome' | 'apply' | 'error'>> = {},
): InvestigationResult {
  return {
    cluster: inv.cluster,
    target: { kind: inv.target.kind, name: inv.target.name, namespace: inv.target.namespace },
    outcome: extra.outcome ?? inv.outcome,
    diagnosis: resultDiagnosis(inv.diagnosis),
    proposal: resultProposal(inv.proposal),
    validation: inv.validation,
    apply: extra.apply ?? null,
    iterations: inv.iterations,
    tracking: inv.run.runId && inv.run.runUrl ? { runId: inv.run.runId, runUrl: inv.run.runUrl } : null,
    error: extra.error ?? null,
  };
}
