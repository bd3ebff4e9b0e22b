// An investigation's LLM ceilings count every call of every iteration (and of earlier rounds); once one
// would be passed the model is not asked again, the rule engine answers, and the run is tagged.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiagnosisEngine, DiagnosisInput } from '../../../src/agent/diagnose/engine.js';
import { createFallbackEngine, createLlmEngine } from '../../../src/agent/diagnose/llm/llm-engine.js';
import { createRulesEngine } from '../../../src/agent/diagnose/rules/rules-engine.js';
import { investigate, type AgentDeps } from '../../../src/agent/investigate.js';
import { loadConfig } from '../../../src/config/config.js';
import type { LlmSpend, Target } from '../../../src/domain/index.js';
import { NoopTracker } from '../../../src/tracking/no-op-tracker.js';
import type { InvestigationInfo, InvestigationRun } from '../../../src/tracking/tracker.js';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../../tools/stand-ins/openai-stand-in.js';
import { GOOD_FIX } from '../../fixtures/oom-killed-evidence.js';
import { llmConfig } from '../../fixtures/llm-config.js';
import { memoryCluster } from '../../fixtures/memory-cluster.js';
import { scenarios } from '../../fixtures/index.js';

const target: Target = { kind: 'Deployment', name: 'api', namespace: 'shop' };
const config = loadConfig({ AUTOFIX_NAMESPACES: 'shop', AUTOFIX_MAX_ITERATIONS: '3' });
/** A change the policy refuses (over AUTOFIX_MAX_MEMORY's 4Gi): the investigation iterates. */
const REFUSED = {
  ...GOOD_FIX,
  change: { ...GOOD_FIX.change, patch: [{ ...GOOD_FIX.change.patch[0]!, valueJson: '"100Gi"' }] },
};

/** Records the run-level tags and metrics the investigation sets. */
class RunLog extends NoopTracker {
  tags: Record<string, string> = {};
  metrics: Record<string, number> = {};
  override async startInvestigation(info: InvestigationInfo): Promise<InvestigationRun> {
    const run = await super.startInvestigation(info);
    return {
      ...run,
      setTags: async (t) => void Object.assign(this.tags, t),
      logMetrics: async (m, step) => void (step === undefined && Object.assign(this.metrics, m)),
    };
  }
}

function deps(engine: DiagnosisEngine, tracker = new RunLog()): AgentDeps & { tracker: RunLog } {
  return { cluster: memoryCluster(scenarios.oomKilled()), tracker, engine, config };
}

let standIn: OpenAiStandIn;
beforeEach(async () => {
  standIn = await startOpenAiStandIn();
});
afterEach(async () => {
  await standIn.close();
});

describe('investigate: LLM usage and ceilings', () => {
  it('each diagnosis is told what the iterations before it used; the investigation adds it all up', async () => {
    const seen: Array<LlmSpend | undefined> = [];
    const rules = createRulesEngine();
    const engine: DiagnosisEngine = {
      name: 'llm',
      model: 'm',
      async diagnose(input: DiagnosisInput) {
        seen.push(input.spent);
        const r = await rules.diagnose(input);
        const usage = {
          model: 'm',
          latencySeconds: 0,
          promptTokens: 1000,
          completionTokens: 100,
          attempts: 1,
        };
        // A refused change every time, so all three iterations run.
        const change = {
          summary: ['too much'],
          patch: [
            {
              op: 'replace' as const,
              path: '/spec/template/spec/containers/0/resources/limits/memory',
              value: '100Gi',
            },
          ],
        };
        return { ...r, diagnosis: { ...r.diagnosis, change }, usage: [{ ...usage, costUsd: 0.001 }] };
      },
    };
    const before: LlmSpend = { calls: 2, promptTokens: 500, completionTokens: 50, costUsd: 0.0005 };
    const d = deps(engine);
    const inv = await investigate(target, d, { spent: before });
    expect(inv.iterations).toBe(3);
    expect(seen.map((s) => s?.calls)).toEqual([2, 3, 4]);
    expect(seen[2]).toMatchObject({ promptTokens: 2500, completionTokens: 250 });
    expect(inv.llm).toMatchObject({ calls: 5, promptTokens: 3500, completionTokens: 350 });
    expect(inv.llm?.costUsd).toBeCloseTo(0.0035, 10);
    expect(inv.ceiling).toBeNull();
    expect(d.tracker.metrics).toMatchObject({ llm_calls: 5, llm_tokens: 3850 });
    expect(d.tracker.metrics.llm_cost_usd).toBeCloseTo(0.0035, 10);
    expect(d.tracker.tags['autofix.llm.ceiling']).toBeUndefined();
  });

  it('the model refused in iteration 1 is not asked in iteration 2: the rule engine proposes, noting why', async () => {
    // Iteration 1 fits the 60,000-token ceiling and reports 58,000; iteration 2's call would pass it.
    standIn.push({ json: REFUSED, usage: { promptTokens: 57_000, completionTokens: 1000 } });
    const llm = createLlmEngine({
      config: llmConfig(standIn, {
        price: { prompt: 1, completion: 1 },
        ceilings: { maxTokens: 60_000, maxCostUsd: null },
      }),
      logPrompts: false,
    });
    const d = deps(createFallbackEngine(llm, createRulesEngine()));
    const inv = await investigate(target, d);
    expect(standIn.requests).toHaveLength(1);
    expect(inv.iterations).toBe(2);
    expect(inv.outcome).toBe('proposed');
    expect(inv.diagnosis?.engine).toBe('rules');
    expect(inv.diagnosis?.notes[0]).toMatch(
      /^LLM not asked: the investigation's token ceiling: 58,000 tokens used \+ up to [\d,]+ for the next call > 60,000 \(AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION\); diagnosed by the rule engine$/,
    );
    expect(inv.ceiling).toMatchObject({ ceiling: 'tokens', used: 58_000, limit: 60_000 });
    expect(inv.llm).toEqual({ calls: 1, promptTokens: 57_000, completionTokens: 1000, costUsd: 0.058 });
    expect(d.tracker.tags).toMatchObject({ 'autofix.llm.ceiling': 'tokens', 'autofix.outcome': 'proposed' });
  });

  it('the rule engine alone: no LLM usage, no totals', async () => {
    const d = deps(createRulesEngine());
    const inv = await investigate(target, d);
    expect(inv.llm).toBeNull();
    expect(d.tracker.metrics).not.toHaveProperty('llm_tokens');
  });
});
