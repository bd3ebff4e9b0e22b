// Speed of the pure pipeline (analyze → rules → propose → policy, redaction, prompt compaction), in-process.
// Compare ratios within one run: the machines are noisy.
import { evidenceFrom, scenarios } from '../test/fixtures/index.js';
import { runAnalyzers } from '../src/agent/analyzers/registry.js';
import { diagnoseByRules } from '../src/agent/diagnose/rules/rules-engine.js';
import { propose } from '../src/agent/change/propose.js';
import { evaluatePolicy } from '../src/safety/evaluate-policy.js';
import { redactText, redactObject } from '../src/safety/redact.js';
import { compactEvidence } from '../src/agent/diagnose/llm/compact-evidence.js';
import { loadConfig } from '../src/config/config.js';
import type { Evidence } from '../src/domain/index.js';

export interface Row {
  name: string;
  opsPerSecond: number;
  microsPerOp: number;
  heapDeltaKiB: number;
}

function measure(name: string, fn: () => void, minMs = 400): Row {
  for (let i = 0; i < 50; i++) fn(); // warm-up, so the JIT has compiled the path being measured
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < minMs) {
    fn();
    ops++;
  }
  const ms = performance.now() - start;
  return {
    name,
    opsPerSecond: Math.round((ops * 1000) / ms),
    microsPerOp: Number(((ms * 1000) / ops).toFixed(1)),
    heapDeltaKiB: Math.round((process.memoryUsage().heapUsed - heapBefore) / 1024),
  };
}

const policy = loadConfig({}).policy;
const all: Array<[string, Evidence]> = [
  ['image_pull_rollout', evidenceFrom(scenarios.imagePullRollout())],
  ['oom_killed', evidenceFrom(scenarios.oomKilled())],
  ['probe_port', evidenceFrom(scenarios.probeWrongPort())],
  ['missing_config', evidenceFrom(scenarios.missingConfig())],
  ['quota_exceeded', evidenceFrom(scenarios.quotaExceeded())],
];

function pipeline(evidence: Evidence): void {
  const findings = runAnalyzers(evidence);
  const d = diagnoseByRules({ evidence, findings, previousAttempts: [], policy });
  if (!d.change) return;
  const p = propose({ evidence, change: d.change });
  evaluatePolicy({ target: evidence.target, live: evidence.workload, proposed: p.manifest, policy });
}

const logLine =
  '2026-11-28T04:00:00Z level=error msg="upstream auth failed" Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig user=ops password=hunter2';
const bigLog = Array.from({ length: 1000 }, (_, i) => `${logLine} #${i}`).join('\n');

export interface FunctionsBench {
  rows: Row[];
  redactionMBps: number;
  pipelineToAnalyzersCostRatio: number;
}

export function benchFunctions(): FunctionsBench {
  const rows: Row[] = [
    ...all.map(([name, ev]) =>
      measure(`pipeline ${name} (analyze→rules→propose→policy)`, () => pipeline(ev)),
    ),
    measure('analyzers only (oom_killed)', () => runAnalyzers(all[1]![1])),
    measure('rules→propose→policy (oom_killed)', () => {
      const ev = all[1]![1];
      const d = diagnoseByRules({ evidence: ev, findings: runAnalyzers(ev), previousAttempts: [], policy });
      evaluatePolicy({
        target: ev.target,
        live: ev.workload,
        proposed: propose({ evidence: ev, change: d.change! }).manifest,
        policy,
      });
    }),
    measure('redactText 1000 log lines (~150 KB)', () => redactText(bigLog)),
    measure('redactObject workload', () => redactObject(all[0]![1].workload)),
    measure('compactEvidence for the LLM prompt', () => compactEvidence(all[0]![1])),
  ];

  const mbPerSecond = (rows.find((r) => r.name.startsWith('redactText'))!.opsPerSecond * bigLog.length) / 1e6;
  const pipelineRow = rows[0]!;
  const analyzersRow = rows.find((r) => r.name.startsWith('analyzers'))!;
  return {
    rows,
    redactionMBps: Number(mbPerSecond.toFixed(1)),
    // Ratios are what to compare between runs and machines.
    pipelineToAnalyzersCostRatio: Number((pipelineRow.microsPerOp / analyzersRow.microsPerOp).toFixed(1)),
  };
}
