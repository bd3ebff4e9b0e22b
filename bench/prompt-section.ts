// Bench section "prompt": the eval cases diagnosed on the sandbox by the rule engine, with the LLM prompt
// the same evidence would produce measured on the side: prompt size per iteration and API calls per case.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { buildPrompt } from '../src/agent/diagnose/llm/build-prompt.js';
import { createRulesEngine } from '../src/agent/diagnose/rules/rules-engine.js';
import type { DiagnosisEngine } from '../src/agent/diagnose/engine.js';
import { loadCases } from '../src/cli/eval/eval-case.js';
import { DEFAULT_TIMING } from '../src/cli/eval/judge-case.js';
import { DEFAULT_PRICES } from '../src/cli/eval/price-table.js';
import { runSuite } from '../src/cli/eval/run-suite.js';
import { createLogger } from '../src/observability/logger.js';

export interface PromptRow {
  case: string;
  status: string;
  iterations: number;
  apiCalls: number;
  /** Characters of the system and user messages of one diagnosis request. */
  systemChars: number;
  userChars: number;
  /** ≈ tokens as chars/4 of the serialised messages (the OpenAI stand-in's estimate; no tokenizer here). */
  promptTokensPerIteration: number | null;
}

/** Rule-engine answers; each request's would-be LLM prompt is measured and kept by namespace. */
function measuringEngine(
  sizes: Map<string, Array<{ system: number; user: number; tokens: number }>>,
): DiagnosisEngine {
  const rules = createRulesEngine();
  return {
    name: rules.name,
    model: rules.model,
    async diagnose(input, signal) {
      const [system, user] = buildPrompt(input).map((m) => String(m.content));
      const ns = input.evidence.target.namespace;
      const tokens = Math.ceil(JSON.stringify(buildPrompt(input)).length / 4);
      sizes.set(ns, [...(sizes.get(ns) ?? []), { system: system!.length, user: user!.length, tokens }]);
      return rules.diagnose(input, signal);
    },
  };
}

export async function benchPrompts(o: {
  kubeconfig: string;
  only: string[];
  parallel: number;
}): Promise<PromptRow[]> {
  const cases = loadCases(resolve('eval/cases'), o.only);
  const sizes = new Map<string, Array<{ system: number; user: number; tokens: number }>>();
  const engine = measuringEngine(sizes);
  const results = await runSuite(
    cases,
    {
      logger: createLogger('silent'),
      fix: false,
      timing: DEFAULT_TIMING,
      prices: DEFAULT_PRICES,
      env: { KUBECONFIG: o.kubeconfig },
      suiteId: `b${randomBytes(2).toString('hex')}`,
      makeEngine: () => engine,
    },
    { parallel: o.parallel, repeat: 1 },
  );
  return results.map((r) => {
    const s = sizes.get(r.namespace) ?? [];
    const avg = (k: 'system' | 'user' | 'tokens') =>
      s.length === 0 ? 0 : Math.round(s.reduce((n, x) => n + x[k], 0) / s.length);
    return {
      case: r.name,
      status: r.status,
      iterations: r.iterations,
      apiCalls: r.apiCalls,
      systemChars: avg('system'),
      userChars: avg('user'),
      promptTokensPerIteration: s.length === 0 ? null : avg('tokens'),
    };
  });
}
