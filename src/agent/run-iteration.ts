// One iteration: analyze → diagnose → propose → validate (schema, policy, dry-run), tracked step by step.
import { gitopsAdvice } from './gitops/gitops-advice.js';
import type { Config } from '../config/config.js';
import type {
  CeilingHit,
  Diagnosis,
  Evidence,
  Finding,
  KubeObject,
  LlmSpend,
  LlmUsage,
  Proposal,
  Validation,
} from '../domain/index.js';
import { isAutofixError } from '../domain/index.js';
import type { Cluster } from '../k8s/cluster.js';
import type { RunHandle, SpanHandle } from '../tracking/tracker.js';
import { buildBundle, bundlePath, type EngineInput, type ReplayBundle } from '../tracking/replay-bundle.js';
import { agentVersion } from '../observability/version.js';
import { redactText } from '../safety/redact.js';
import { analyzers, isHealthy, runAnalyzers } from './analyzers/registry.js';
import type { AttemptFeedback, DiagnosisEngine, DiagnosisInput } from './diagnose/engine.js';
import type { ProgressSink } from './progress.js';
import { propose } from './change/propose.js';
import type { Sealed } from './change/rehydrate-patch.js';
import { toYaml } from './change/unified-diff.js';
import { validateChange } from './validate/validate-change.js';

export interface IterationDeps {
  cluster: Cluster;
  engine: DiagnosisEngine;
  config: Pick<Config, 'policy' | 'logPrompts' | 'gitopsMode'>;
  progress: ProgressSink;
  dryRunDeferred?: string | null;
}

export interface IterationInput {
  n: number;
  evidence: Evidence;
  sealed: Sealed;
  previousAttempts: AttemptFeedback[];
  run: RunHandle;
  /** Compact outcomes of earlier incidents of this workload (hints for an LLM). */
  history?: string[];
  /** The run that keeps each iteration's replay bundle (the investigation's parent run). */
  replayRun?: RunHandle;
  /** The investigation's LLM usage before this iteration, for the engine's ceilings. */
  spent?: LlmSpend;
  /** Keeps the investigation's LLM spend around each call (see DiagnosisInput.keepSpend). */
  keepSpend?: DiagnosisInput['keepSpend'];
}

/** What this iteration's diagnosis cost, and the ceiling that made the fallback answer, if one did. */
export interface IterationLlm {
  usage: LlmUsage[];
  ceiling: CeilingHit | null;
}

type Steps =
  | { kind: 'healthy'; findings: Finding[]; diagnosis: Diagnosis }
  | { kind: 'no_change'; findings: Finding[]; diagnosis: Diagnosis }
  | {
      kind: 'rejected';
      findings: Finding[];
      diagnosis: Diagnosis;
      validation: Validation | null;
      feedback: AttemptFeedback;
    }
  | { kind: 'proposed'; findings: Finding[]; diagnosis: Diagnosis; proposal: Proposal };

export type IterationOutcome = Steps & { llm: IterationLlm };

/** Runs each analyzer in its own span; runAnalyzers turns a throwing analyzer into an info finding. */
function analyze(evidence: Evidence, run: RunHandle): Finding[] {
  return Object.entries(analyzers).flatMap(([name, analyzer]) => {
    const span = run.startSpan(`analyze.${name}`, 'tool');
    const found = runAnalyzers(evidence, [analyzer]);
    span.setAttributes({ findings: found.length });
    span.end();
    return found;
  });
}

/**
 * One LLM span per call with its own token usage, laid end to end from the diagnose span's start (the
 * engine measures each call's latency); the diagnose span itself carries none, so nothing counts twice.
 */
function traceLlmCalls(span: SpanHandle, usage: readonly LlmUsage[], startMs: number): void {
  let at = startMs;
  usage.forEach((u, i) => {
    const durationMs = u.latencySeconds * 1000;
    const call = span.startChild(
      `llm call ${i + 1}`,
      'llm',
      { attempts: u.attempts, latency_seconds: u.latencySeconds },
      { startMs: at, durationMs },
    );
    call.setUsage({
      model: u.model,
      promptTokens: u.promptTokens,
      completionTokens: u.completionTokens,
      responseModel: u.responseModel ?? null,
    });
    call.end();
    at += durationMs;
  });
}

/** The engine's input and what it answered, kept so the iteration can be re-run offline (`eval --replay`). */
async function keepBundle(
  deps: IterationDeps,
  input: IterationInput,
  engineInput: EngineInput,
  recorded: ReplayBundle['recorded'],
): Promise<void> {
  if (!input.replayRun) return;
  const bundle = buildBundle({
    iteration: input.n,
    agentVersion: agentVersion(),
    engine: { name: deps.engine.name, model: deps.engine.model },
    input: engineInput,
    recorded,
  });
  if (bundle) await input.replayRun.logArtifact(bundlePath(input.n), bundle);
  else
    await input.replayRun.setTags({ 'autofix.replay.skipped': `iteration ${input.n}: over the size bound` });
}

async function diagnose(
  deps: IterationDeps,
  input: IterationInput,
  findings: Finding[],
  llm: IterationLlm,
): Promise<Diagnosis> {
  const span = input.run.startSpan('diagnose', 'chain', { engine: deps.engine.name });
  const startMs = Date.now();
  // One object for the engine and the bundle: the bundle is exactly as redacted as what the engine saw.
  const engineInput: EngineInput = {
    evidence: input.evidence,
    findings,
    previousAttempts: input.previousAttempts,
    policy: deps.config.policy,
    history: input.history ?? [],
  };
  try {
    let r;
    try {
      r = await deps.engine.diagnose({
        ...engineInput,
        ...(input.spent ? { spent: input.spent } : {}),
        ...(input.keepSpend ? { keepSpend: input.keepSpend } : {}),
      });
    } catch (e) {
      const error = redactText(e instanceof Error ? e.message : String(e));
      await keepBundle(deps, input, engineInput, { diagnosis: null, usage: [], error });
      throw e;
    }
    await keepBundle(deps, input, engineInput, { diagnosis: r.diagnosis, usage: r.usage, error: null });
    llm.usage.push(...r.usage);
    llm.ceiling = r.ceiling ?? null;
    const sum = (k: 'latencySeconds' | 'promptTokens' | 'completionTokens') =>
      r.usage.reduce((n, u) => n + u[k], 0);
    if (r.usage.length > 0) {
      traceLlmCalls(span, r.usage, startMs);
      await input.run.logMetrics(
        {
          llm_latency_seconds: sum('latencySeconds'),
          prompt_tokens: sum('promptTokens'),
          completion_tokens: sum('completionTokens'),
        },
        input.n,
      );
    }
    if (deps.config.logPrompts && r.exchange) {
      await input.run.logArtifact('prompt.json', r.exchange.prompt as object);
      await input.run.logArtifact('completion.json', r.exchange.completion as object);
    }
    span.setAttributes({
      category: r.diagnosis.category,
      confidence: r.diagnosis.confidence,
      llm_calls: r.usage.length,
    });
    span.end();
    return r.diagnosis;
  } catch (e) {
    span.end(e);
    throw e;
  }
}

export async function runIteration(deps: IterationDeps, input: IterationInput): Promise<IterationOutcome> {
  const llm: IterationLlm = { usage: [], ceiling: null };
  return { ...(await steps(deps, input, llm)), llm };
}

async function steps(deps: IterationDeps, input: IterationInput, llm: IterationLlm): Promise<Steps> {
  const { n, evidence, run } = input;
  deps.progress({ stage: 'analyze', iteration: n, message: 'running analyzers' });
  const findings = analyze(evidence, run);
  await run.logArtifact('findings.json', findings);
  if (isHealthy(evidence, findings)) {
    const diagnosed = await diagnose(deps, input, findings, llm);
    const diagnosis: Diagnosis = { ...diagnosed, category: 'healthy', change: null };
    await run.logArtifact('diagnosis.json', diagnosis);
    await run.logMetrics({ confidence: diagnosis.confidence }, n);
    return { kind: 'healthy', findings, diagnosis };
  }
  deps.progress({
    stage: 'diagnose',
    iteration: n,
    message: `${findings.length} finding(s); asking the ${deps.engine.name} engine`,
  });
  const diagnosis = await diagnose(deps, input, findings, llm);
  await run.logArtifact('diagnosis.json', diagnosis);
  await run.logMetrics({ confidence: diagnosis.confidence }, n);
  if (!diagnosis.change) return { kind: 'no_change', findings, diagnosis };

  deps.progress({ stage: 'propose', iteration: n, message: diagnosis.change.summary.join('; ') });
  let proposed;
  try {
    proposed = propose({ evidence, change: diagnosis.change });
  } catch (e) {
    if (!isAutofixError(e)) throw e;
    const feedback = { iteration: n, change: diagnosis.change, errors: [`propose: ${e.message}`] };
    return { kind: 'rejected', findings, diagnosis, validation: null, feedback };
  }
  await run.logArtifact('proposal.diff', proposed.diff);
  await run.logArtifact('corrected.yaml', toYaml(proposed.manifest));

  deps.progress({
    stage: 'validate',
    iteration: n,
    message: deps.dryRunDeferred
      ? 'schema and safety policy (the server dry-run runs at apply, as the approver)'
      : 'schema, safety policy and server-side dry-run',
  });
  const span = run.startSpan('validate', 'chain');
  let v;
  try {
    v = await validateChange({
      target: evidence.target,
      change: diagnosis.change,
      live: evidence.workload,
      proposed: proposed.patched,
      sealed: input.sealed,
      services: evidence.services,
      policy: deps.config.policy,
      cluster: deps.cluster,
      span,
      dryRunDeferred: deps.dryRunDeferred ?? null,
    });
  } catch (e) {
    span.end(e);
    throw e;
  }
  span.setAttributes({
    schema_ok: v.validation.schemaOk,
    policy_passed: v.validation.policy.ok,
    dry_run_passed: v.validation.dryRun.ok,
  });
  span.end();
  await run.logArtifact('validation.json', v.validation);
  await run.logMetrics(
    { policy_passed: v.validation.policy.ok ? 1 : 0, dry_run_passed: v.validation.dryRun.ok ? 1 : 0 },
    n,
  );
  if (!v.ops) {
    return {
      kind: 'rejected',
      findings,
      diagnosis,
      validation: v.validation,
      feedback: { iteration: n, change: diagnosis.change, errors: v.errors },
    };
  }
  const meta = evidence.workload.metadata as { uid?: string; generation?: number; resourceVersion?: string };
  const proposal: Proposal = {
    change: diagnosis.change,
    changes: proposed.changes,
    diff: proposed.diff,
    manifest: proposed.manifest,
    base: {
      resourceVersion: String(meta.resourceVersion ?? ''),
      generation: Number(meta.generation ?? 0),
      uid: String(meta.uid ?? ''),
    },
    previousTemplate: (evidence.workload.spec as { template?: KubeObject } | undefined)?.template ?? {},
    validation: v.validation,
    gitops: gitopsAdvice(evidence.target, evidence.workload, proposed.manifest, deps.config.gitopsMode),
  };
  if (proposal.gitops) await run.logArtifact('commit-patch.yaml', proposal.gitops.commitPatch);
  return { kind: 'proposed', findings, diagnosis, proposal };
}
