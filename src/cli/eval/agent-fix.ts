// The eval's one call into the agent's fix path: investigate, approve automatically, apply, watch.
import type { Category, Outcome, Target } from '../../domain/index.js';
import { DEFAULT_CLUSTER } from '../../domain/index.js';
import type { DiagnosisEngine } from '../../agent/diagnose/engine.js';
import { meteredEngine } from '../../agent/diagnose/metered-engine.js';
import { fixWorkload } from '../../workflow/fix-workload.js';
import type { StoredProposal } from '../../workflow/proposal-record.js';
import type { Notifier } from '../../workflow/workflow-ports.js';
import { investigate, toResult, type AgentDeps, type Investigation } from '../../agent/investigate.js';

/** The eval reads outcomes from the result and the cluster; nobody reads messages. */
const silentNotifier: Notifier = {
  progress: () => undefined,
  proposal: async () => undefined,
  // The eval approves automatically, as `fix --yes` does.
  showsWhole: () => true,
  outcome: async () => undefined,
  refusal: async () => undefined,
};

export interface AgentAnswer {
  /** The first investigation's verdict: what the agent diagnosed before anything was applied. */
  category: Category | null;
  outcome: Outcome;
  confidence: number | null;
  /** The whole run's last word (fixed, not_fixed, proposed, …), for the record only. */
  finalOutcome: Outcome;
  iterations: number;
  applied: boolean;
  secondsToProposal: number | null;
  runId: string | null;
  runUrl: string | null;
}

function verdict(inv: Investigation): Pick<AgentAnswer, 'category' | 'outcome' | 'confidence'> {
  return {
    category: inv.diagnosis?.category ?? null,
    outcome: inv.outcome,
    confidence: inv.diagnosis?.confidence ?? null,
  };
}

/** With `fix`, every unflagged proposal is approved as "eval" and applied; otherwise the agent only investigates. */
export async function runAgent(target: Target, deps: AgentDeps, fix: boolean): Promise<AgentAnswer> {
  const t0 = performance.now();
  // An object, not two lets: the approve callback writes it and the compiler must not narrow it to null.
  const seen: { first: Investigation | null; secondsToProposal: number | null } = {
    first: null,
    secondsToProposal: null,
  };
  const approve = async (record: StoredProposal, inv: Investigation): Promise<string | null> => {
    seen.first ??= inv;
    seen.secondsToProposal ??= (performance.now() - t0) / 1000;
    // Like `fix --yes`: a flagged change is for a person who read it, never applied unread.
    return record.proposal.validation.flags.length > 0 ? null : 'eval';
  };
  const fixed = fix
    ? await fixWorkload(target, deps, {
        notifier: silentNotifier,
        approve,
        requestedBy: 'eval',
        namespaces: [target.namespace],
        cluster: DEFAULT_CLUSTER,
      })
    : null;
  const inv = fixed?.investigation ?? (await investigate(target, deps));
  if (!fix && inv.outcome === 'proposed') seen.secondsToProposal = (performance.now() - t0) / 1000;
  const result = fixed?.result ?? toResult(inv);
  await inv.run.end('FINISHED');
  return {
    ...verdict(seen.first ?? inv),
    finalOutcome: result.outcome,
    iterations: result.iterations,
    applied: fixed?.applied !== null && fixed?.applied !== undefined,
    secondsToProposal: seen.secondsToProposal,
    runId: inv.run.runId,
    runUrl: inv.run.runUrl,
  };
}

export interface UsageTotals {
  llmCalls: number;
  diagnoses: number;
  promptTokens: number;
  completionTokens: number;
  model: string;
  /** The ceiling (tokens or cost) that made the rule engine answer in this case, if one did. */
  ceiling: 'tokens' | 'cost' | null;
}

/** Wraps an engine to add up its LLM usage (per call, including failed calls the fallback reports). */
export function countingEngine(engine: DiagnosisEngine): { engine: DiagnosisEngine; usage: UsageTotals } {
  const usage: UsageTotals = {
    llmCalls: 0,
    diagnoses: 0,
    promptTokens: 0,
    completionTokens: 0,
    model: engine.model,
    ceiling: null,
  };
  const counted = meteredEngine(engine, (calls, result) => {
    usage.diagnoses += 1;
    usage.ceiling = result.ceiling?.ceiling ?? usage.ceiling;
    for (const u of calls) {
      usage.llmCalls += 1;
      usage.promptTokens += u.promptTokens;
      usage.completionTokens += u.completionTokens;
      usage.model = u.model;
    }
  });
  return { usage, engine: counted };
}
