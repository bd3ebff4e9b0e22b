// Speed of the pure pipeline (analyze → rules → propose → policy, redaction, prompt compaction), in-process.
// Compare ratios within one run: the machines are noisy.
import { evidenceFrom, scenarios } from '../test/fixtures/index.js';
import { runAnalyzers } from '../src/agent/analyzers/registry.js';
import { diagnoseByRules } from '../src/agent/diagnose/rules/rules-engine.js';
import { propose } from '../src/agent/change/propose.js';
import { evaluatePolicy } from '../src/safety/evaluate-policy.js';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { redactText, redactObject } from '../src/safety/redact.js';
import { knownValues } from '../src/safety/known-values.js';
import { libraryTokenRanges, ownTokenRanges } from '../src/safety/provider-tokens.js';
import { redactText as redactTextBefore } from './redact-text-before.js';
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

/** ~150 KB of realistic log text: the secrets and look-alike corpora, line after line, repeated. */
function corpusLog(): string {
  const read = (f: string): string[] =>
    (
      parse(readFileSync(new URL(`../test/corpus/secrets/${f}`, import.meta.url), 'utf8')) as {
        cases: Array<{ text: string }>;
      }
    ).cases.map((c) => c.text);
  const lines = [...read('log-lines.yaml'), ...read('look-alike-lines.yaml')];
  const out: string[] = [];
  for (let size = 0; size < 150_000;) {
    const l = lines[out.length % lines.length]!;
    out.push(l);
    size += l.length + 1;
  }
  return out.join('\n');
}

/** Twelve secret values, as a workload with three Secrets of four keys would have them. */
const KNOWN = knownValues(
  Array.from({ length: 12 }, (_, i) => `k${i}-${'Zq8xW3vR7tY1uI5oP2aS'.slice(i)}-${i * 7919}`),
);

export interface RedactionBench {
  /** MB/s on the corpus log for each way of redacting. */
  mbPerSecond: Record<string, number>;
  /** How many times slower than the redaction before issue 19 (regular expressions only). */
  costVsBefore: { now: number; withKnownValues: number };
  /** Share of today's time spent in secretlint's rules, and in the known-value matcher. */
  libraryShare: number;
  knownValueShare: number;
}

export interface FunctionsBench {
  rows: Row[];
  redactionMBps: number;
  redaction: RedactionBench;
  pipelineToAnalyzersCostRatio: number;
}

function benchRedaction(): { rows: Row[]; redaction: RedactionBench } {
  const log = corpusLog();
  const ways: Array<[string, () => unknown]> = [
    ['before issue 19 (regular expressions)', () => redactTextBefore(log)],
    ['now, no known values', () => redactText(log)],
    ['now, with 12 known values', () => redactText(log, KNOWN)],
    ['known-value matcher alone (12 values)', () => KNOWN.mask(log)],
    ['secretlint recommended rules alone', () => libraryTokenRanges(log)],
    ['our own token shapes alone', () => ownTokenRanges(log)],
  ];
  const rows = ways.map(([name, fn]) =>
    measure(`redaction ${name}, ${Math.round(log.length / 1000)} KB`, fn, 800),
  );
  const mbps = (r: Row): number => Number(((r.opsPerSecond * log.length) / 1e6).toFixed(2));
  const us = rows.map((r) => r.microsPerOp);
  return {
    rows,
    redaction: {
      mbPerSecond: Object.fromEntries(ways.map(([name], i) => [name, mbps(rows[i]!)])),
      costVsBefore: {
        now: Number((us[1]! / us[0]!).toFixed(1)),
        withKnownValues: Number((us[2]! / us[0]!).toFixed(1)),
      },
      libraryShare: Number((us[4]! / us[1]!).toFixed(3)),
      knownValueShare: Number((us[3]! / us[2]!).toFixed(3)),
    },
  };
}

export function benchFunctions(): FunctionsBench {
  const redaction = benchRedaction();
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
    ...redaction.rows,
  ];

  const mbPerSecond = (rows.find((r) => r.name.startsWith('redactText'))!.opsPerSecond * bigLog.length) / 1e6;
  const pipelineRow = rows[0]!;
  const analyzersRow = rows.find((r) => r.name.startsWith('analyzers'))!;
  return {
    rows,
    redactionMBps: Number(mbPerSecond.toFixed(1)),
    redaction: redaction.redaction,
    // Ratios are what to compare between runs and machines.
    pipelineToAnalyzersCostRatio: Number((pipelineRow.microsPerOp / analyzersRow.microsPerOp).toFixed(1)),
  };
}
