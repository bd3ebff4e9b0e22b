// `eval --replay` speed with the rule engine: recorded cases replayed and scored per second, in-process
// (the MLflow reads are left out: they are the network's speed, not the replay's).
import { runAnalyzers } from '../src/agent/analyzers/registry.js';
import { createRulesEngine } from '../src/agent/diagnose/rules/rules-engine.js';
import { DEFAULT_PRICES } from '../src/cli/eval/price-table.js';
import { replayCase } from '../src/cli/eval/replay-case.js';
import { loadConfig } from '../src/config/config.js';
import { readLabels } from '../src/tracking/outcome-labels.js';
import { buildBundle } from '../src/tracking/replay-bundle.js';
import type { RecordedCase } from '../src/tracking/replay-source.js';
import { evidenceFrom, scenarios } from '../test/fixtures/index.js';

export interface ReplayBench {
  cases: number;
  casesPerSecond: number;
  microsPerCase: number;
}

function recordings(): RecordedCase[] {
  const policy = loadConfig({}).policy;
  const evidence = [
    scenarios.imagePullRollout(),
    scenarios.oomKilled(),
    scenarios.probeWrongPort(),
    scenarios.missingConfig(),
    scenarios.quotaExceeded(),
  ].map(evidenceFrom);
  return evidence.map((ev, i) => ({
    runId: String(i).padStart(32, '0'),
    runName: ev.target.name,
    experimentId: '0',
    runUrl: null,
    iteration: 1,
    bundle: buildBundle({
      iteration: 1,
      agentVersion: 'bench',
      engine: { name: 'rules', model: 'rules' },
      input: { evidence: ev, findings: runAnalyzers(ev), previousAttempts: [], history: [], policy },
      recorded: { diagnosis: null, usage: [], error: 'bench' },
    })!,
    labels: readLabels(
      { 'autofix.label.expected_category': 'oom_killed', 'autofix.label.expected_source': 'eval' },
      1,
    ),
  }));
}

export async function benchReplay(minMs = 1000): Promise<ReplayBench> {
  const cases = recordings();
  const engine = createRulesEngine();
  for (const c of cases) await replayCase(c, engine, DEFAULT_PRICES); // warm-up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    await replayCase(cases[n % cases.length]!, engine, DEFAULT_PRICES);
    n++;
  }
  const ms = performance.now() - start;
  return {
    cases: cases.length,
    casesPerSecond: Math.round((n * 1000) / ms),
    microsPerCase: Number(((ms * 1000) / n).toFixed(1)),
  };
}
