// The diagnosis prompt stays small without losing what a diagnosis needs: defaults, empties and repeated
// templates go; images, limits, container order, failing conditions and the crash's log lines stay.
import { describe, expect, it } from 'vitest';
import { runAnalyzers } from '../../../../../src/agent/analyzers/registry.js';
import { buildPrompt, describeFindings } from '../../../../../src/agent/diagnose/llm/build-prompt.js';
import { compactEvidence } from '../../../../../src/agent/diagnose/llm/compact-evidence.js';
import { loadConfig } from '../../../../../src/config/config.js';
import { evidenceFrom, scenarios } from '../../../../fixtures/index.js';

const policy = loadConfig({}).policy;

/** A crash loop whose previous container printed 15 lines (the request that once took ~20,500 characters). */
function crashLoopWith15Lines() {
  const input = scenarios.crashLoopMissingEnv();
  const log = input.logs![0]!;
  const lines = Array.from(
    { length: 15 },
    (_, i) => `2026-11-27T10:0${i % 10}:00Z LOG: startup step ${i} of the database init script`,
  );
  return evidenceFrom({ ...input, logs: [{ ...log, lines: [...lines, ...log.lines] }] });
}

const chars = (e: ReturnType<typeof evidenceFrom>): number =>
  JSON.stringify(buildPrompt({ evidence: e, findings: runAnalyzers(e), previousAttempts: [], policy }))
    .length;

describe('prompt budget', () => {
  it('a crash loop with 15 log lines fits in about 3k tokens (12,000 characters)', () => {
    expect(chars(crashLoopWith15Lines())).toBeLessThan(12_000);
  });

  it('every fixture scenario fits in about 3k tokens', () => {
    for (const [name, make] of Object.entries(scenarios)) {
      const e = evidenceFrom((make as () => Parameters<typeof evidenceFrom>[0])());
      expect(chars(e), name).toBeLessThan(12_000);
    }
  });

  it('keeps what diagnoses need and drops API defaults and empty values', () => {
    const e = evidenceFrom(scenarios.imagePullRollout());
    const text = compactEvidence(e);
    const json = JSON.parse(text) as {
      workload: { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
      revisions: Array<{ current: boolean; template: unknown }>;
      pods: Array<{ conditions?: Array<{ type: string; status: string }> }>;
    };
    const container = json.workload.spec.template.spec.containers[0]!;
    expect(container.image).toBe('nginx:1.99');
    expect(container).not.toHaveProperty('terminationMessagePath');
    expect(text).not.toContain('"protocol":"TCP"');
    expect(text).not.toContain('null');
    // The current revision points at the live template; the healthy one keeps its own (the rollback source).
    expect(json.revisions.find((r) => r.current)?.template).toBe('same as workload.spec.template');
    expect(JSON.stringify(json.revisions.find((r) => !r.current)?.template)).toContain('nginx:1.25');
    // Failing conditions stay, normal True ones go.
    expect(json.pods.flatMap((p) => p.conditions ?? []).every((c) => c.status !== 'True')).toBe(true);
    expect(json.pods.flatMap((p) => p.conditions ?? []).some((c) => c.type === 'Ready')).toBe(true);
  });

  it('the crash log lines survive compaction', () => {
    expect(compactEvidence(crashLoopWith15Lines())).toContain('superuser password is not specified');
  });

  it('findings do not repeat quotes their facts already carry', () => {
    const e = evidenceFrom(scenarios.imagePullRollout());
    const text = describeFindings(runAnalyzers(e));
    const kubelet = 'failed to resolve reference';
    expect(text.split(kubelet).length - 1).toBe(1);
  });
});
