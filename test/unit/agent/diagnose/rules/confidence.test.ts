// Rule engine confidence: direct signals beat heuristics; agreement and rollout correlation raise it; gaps and conflicts lower it.
import { describe, it, expect } from 'vitest';
import { runAnalyzers } from '../../../../../src/agent/analyzers/registry.js';
import { diagnoseByRules } from '../../../../../src/agent/diagnose/rules/rules-engine.js';
import type { PolicyConfig } from '../../../../../src/config/config.js';
import type { Diagnosis, Evidence } from '../../../../../src/domain/index.js';
import {
  containerStatus,
  evidenceFrom,
  scenarios,
  singleRevision,
  statuses,
  terminated,
  waiting,
  type EvidenceInput,
  type ScenarioName,
} from '../../../../fixtures/index.js';

const POLICY: PolicyConfig = {
  level: 'baseline',
  maxMemoryBytes: 4 * 2 ** 30,
  maxCpuCores: 4,
  maxReplicas: 20,
  maxTotalMemoryBytes: 32 * 2 ** 30,
  maxTotalCpuCores: 16,
  allowedRegistries: [],
};

function diagnoseEvidence(evidence: Evidence): Diagnosis {
  return diagnoseByRules({
    evidence,
    findings: runAnalyzers(evidence),
    previousAttempts: [],
    policy: POLICY,
  });
}
const diagnose = (input: EvidenceInput): Diagnosis => diagnoseEvidence(evidenceFrom(input));
const withGaps = (input: EvidenceInput, gaps: string[]): Diagnosis =>
  diagnoseEvidence(evidenceFrom({ ...input, gaps }));

const image = 'ghcr.io/acme/api:2.3.1';
const api = (lastState: ReturnType<typeof terminated>) =>
  singleRevision(
    { name: 'api', containers: [{ name: 'app', image, resources: { limits: { memory: '64Mi' } } }] },
    () => [
      containerStatus('app', image, {
        state: waiting('CrashLoopBackOff', 'back-off 2m40s restarting failed container=app'),
        lastState,
        restartCount: 5,
      }),
    ],
    0,
  );

describe('rules engine confidence', () => {
  it('trusts an explicit kubelet reason (OOMKilled) more than a log heuristic (missing env var)', () => {
    expect(diagnose(scenarios.oomKilled()).confidence).toBeGreaterThan(
      diagnose(scenarios.crashLoopMissingEnv()).confidence,
    );
  });

  it('trusts OOMKilled more than a bare exit code 137', () => {
    const explicit = diagnose(api(terminated('OOMKilled', 137)));
    const inferred = diagnose(api(terminated('Error', 137)));
    expect(inferred.category).toBe('oom_killed');
    expect(explicit.confidence).toBeGreaterThan(inferred.confidence);
  });

  it('trusts a crash with a named cause more than one whose logs say nothing', () => {
    const unknown = diagnose(api(terminated('Error', 1)));
    expect(unknown.category).toBe('crash_loop');
    expect(diagnose(scenarios.crashLoopMissingEnv()).confidence).toBeGreaterThan(unknown.confidence);
  });

  it('is more confident when the failure began with the current revision and an older one was ready', () => {
    expect(diagnose(scenarios.imagePullRollout()).confidence).toBeGreaterThan(
      diagnose(scenarios.imagePull()).confidence,
    );
  });

  it('is less confident with evidence gaps', () => {
    const full = diagnose(scenarios.oomKilled());
    const partial = withGaps(scenarios.oomKilled(), ['events: forbidden (RBAC)', 'logs: timeout after 5s']);
    expect(partial.confidence).toBeCloseTo(full.confidence - 0.1, 5);
    expect(partial.notes).toContain('Not seen: events: forbidden (RBAC)');
  });

  it('is less confident when another critical finding competes with the primary one', () => {
    const input = scenarios.missingConfig();
    const single = diagnose(input);
    const pods = input.pods!.map((p) => {
      const status = p.status as Record<string, unknown>;
      return {
        ...p,
        status: {
          ...status,
          containerStatuses: [
            ...(status.containerStatuses as unknown[]),
            statuses.imagePullBackOff('sidecar', 'busybox:9.9'),
          ],
        },
      };
    });
    const both = diagnose({ ...input, pods });
    expect(both.category).toBe('missing_config');
    expect(both.confidence).toBeCloseTo(single.confidence - 0.1, 5);
    expect(
      both.notes.some((n) => n.startsWith('Also found (critical): Container sidecar cannot pull image')),
    ).toBe(true);
  });

  it('explains every factor in the notes', () => {
    const d = diagnose(scenarios.oomKilled());
    expect(d.notes[0]).toBe(
      'confidence 0.8 = base 0.7 (explicit signal) + 0.1 (2 agreeing sources) + 0 (rollout correlation) − 0 (conflicting findings) − 0 (0 evidence gaps)',
    );
  });

  it('rates "healthy" by how complete the evidence is', () => {
    const complete = diagnose(scenarios.healthy());
    const blind = withGaps({ ...scenarios.healthy(), pods: [] }, ['pods: forbidden (RBAC)']);
    expect(complete.confidence).toBe(0.95);
    expect(blind.category).toBe('healthy');
    expect(blind.confidence).toBeCloseTo(0.8, 5);
  });

  it.each(Object.keys(scenarios) as ScenarioName[])('stays within 0..1 for %s', (name) => {
    const d = diagnose(scenarios[name]());
    expect(d.confidence).toBeGreaterThan(0);
    expect(d.confidence).toBeLessThanOrEqual(1);
  });
});
