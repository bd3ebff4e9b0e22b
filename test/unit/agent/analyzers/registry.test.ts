// The analyzer registry: every scenario yields its category, a throwing analyzer is contained, isHealthy's rules.
import { describe, it, expect } from 'vitest';
import type { Analyzer } from '../../../../src/agent/analyzers/analyzer.js';
import { analyzers, isHealthy, runAnalyzers } from '../../../../src/agent/analyzers/registry.js';
import { Finding } from '../../../../src/domain/index.js';
import { evidenceFrom, scenarios, type ScenarioName } from '../../../fixtures/index.js';

describe('analyzer registry', () => {
  it('names each analyzer after its registry key', () => {
    for (const [key, analyzer] of Object.entries(analyzers)) expect(analyzer.name).toBe(key);
  });

  it.each([
    ['imagePull', 'image_pull'],
    ['imagePullRollout', 'image_pull'],
    ['crashLoopMissingEnv', 'crash_loop'],
    ['oomKilled', 'oom_killed'],
    ['probeWrongPort', 'probe_failure'],
    ['unschedulableMemory', 'unschedulable'],
    ['missingConfig', 'missing_config'],
    ['quotaExceeded', 'quota_exceeded'],
  ] as Array<[ScenarioName, string]>)('finds exactly one critical %s finding: %s', (name, category) => {
    const findings = runAnalyzers(evidenceFrom(scenarios[name]()));
    expect(findings.filter((f) => f.severity === 'critical').map((f) => f.category)).toEqual([category]);
    for (const f of findings) expect(() => Finding.parse(f)).not.toThrow();
  });

  it('finds nothing wrong with a healthy workload', () => {
    const evidence = evidenceFrom(scenarios.healthy());
    const findings = runAnalyzers(evidence);
    expect(findings).toEqual([]);
    expect(isHealthy(evidence, findings)).toBe(true);
  });

  it('turns a throwing analyzer into an info finding and keeps the others', () => {
    const broken: Analyzer = {
      name: 'broken',
      category: 'crash_loop',
      analyze() {
        throw new Error('cannot read properties of undefined');
      },
    };
    const findings = runAnalyzers(evidenceFrom(scenarios.oomKilled()), [broken, analyzers.oomKilled]);
    expect(findings.map((f) => [f.analyzer, f.category, f.severity])).toEqual([
      ['broken', 'unknown', 'info'],
      ['oomKilled', 'oom_killed', 'critical'],
    ]);
    expect(findings[0]!.message).toBe(
      'Analyzer broken failed and was skipped: cannot read properties of undefined',
    );
  });

  it.each([
    ['the controller has not observed the latest generation', { observedGeneration: 1 }],
    ['a replica is not ready', { readyReplicas: 1 }],
    ['a replica is not updated', { updatedReplicas: 1 }],
    ['a replica is not available', { availableReplicas: 1 }],
  ])('is not healthy when %s', (_label, status) => {
    const evidence = evidenceFrom(scenarios.healthy());
    const patched = {
      ...evidence,
      status: { ...evidence.status, generation: 2, observedGeneration: 2, ...status },
    };
    expect(isHealthy(patched, [])).toBe(false);
  });

  it('is not healthy with a critical finding even if all replicas are ready', () => {
    const evidence = evidenceFrom(scenarios.healthy());
    const critical = runAnalyzers(evidenceFrom(scenarios.oomKilled()));
    expect(isHealthy(evidence, critical)).toBe(false);
  });
});
