// Rule engine fixes: exact patch ops (rollback, memory, probe port), caps, human actions, earlier attempts.
import { describe, it, expect } from 'vitest';
import { runAnalyzers } from '../../../../../src/agent/analyzers/registry.js';
import type { AttemptFeedback } from '../../../../../src/agent/diagnose/engine.js';
import { createRulesEngine, diagnoseByRules } from '../../../../../src/agent/diagnose/rules/rules-engine.js';
import { nextMemoryLimit } from '../../../../../src/agent/diagnose/rules/memory-fix.js';
import type { PolicyConfig } from '../../../../../src/config/config.js';
import { Diagnosis, parseQuantity } from '../../../../../src/domain/index.js';
import {
  evidenceFrom,
  rolloutOf,
  scenarios,
  singleRevision,
  statuses,
  type EvidenceInput,
} from '../../../../fixtures/index.js';

const GI = 2 ** 30;
const MI = 2 ** 20;
const POLICY: PolicyConfig = {
  level: 'baseline',
  maxMemoryBytes: 4 * GI,
  maxCpuCores: 4,
  maxReplicas: 20,
  maxTotalMemoryBytes: 32 * 2 ** 30,
  maxTotalCpuCores: 16,
  allowedRegistries: [],
};

function diagnose(
  input: EvidenceInput,
  previousAttempts: AttemptFeedback[] = [],
  policy = POLICY,
): Diagnosis {
  const evidence = evidenceFrom(input);
  return diagnoseByRules({ evidence, findings: runAnalyzers(evidence), previousAttempts, policy });
}

const app = (memory: { limit?: string; request?: string }) => ({
  name: 'app',
  image: 'ghcr.io/acme/api:2.3.1',
  resources: {
    ...(memory.limit ? { limits: { memory: memory.limit } } : {}),
    ...(memory.request ? { requests: { memory: memory.request } } : {}),
  },
});

function oomWith(
  memory: { limit?: string; request?: string },
  extra: Array<ReturnType<typeof app> | { name: string; image: string }> = [],
): EvidenceInput {
  const containers = [...extra, app(memory)];
  return singleRevision(
    { name: 'api', containers },
    (p) => [
      ...extra.map((c) => statuses.ready(c.name, c.image)),
      statuses.crashLoopBackOff('app', 'ghcr.io/acme/api:2.3.1', p, { reason: 'OOMKilled', exitCode: 137 }),
    ],
    0,
  );
}

describe('rules engine fixes', () => {
  it('raises an OOM-killed memory limit to twice its value', () => {
    const d = diagnose(scenarios.oomKilled());
    expect(d.category).toBe('oom_killed');
    expect(d.change).toEqual({
      summary: ['raise memory limit of container app from 64Mi to 128Mi'],
      patch: [
        { op: 'replace', path: '/spec/template/spec/containers/0/resources/limits/memory', value: '128Mi' },
      ],
    });
    expect(d.humanAction).toBeNull();
    expect(d.rootCause).toContain('Container app was OOMKilled');
  });

  it.each([
    ['doubles and rounds up to a whole Mi', 100e6, 4 * GI, 191 * MI],
    ['doubles an exact Mi value', 256 * MI, 4 * GI, 512 * MI],
    ['stops at the policy cap', 3 * GI, 4 * GI, 4 * GI],
  ])('next memory limit %s', (_label, current, cap, next) => {
    expect(nextMemoryLimit(current, cap)).toBe(next);
  });

  it('patches the right container of a multi-container pod and caps the limit', () => {
    const d = diagnose(
      oomWith({ limit: '3Gi', request: '2Gi' }, [{ name: 'proxy', image: 'envoyproxy/envoy:v1.31.0' }]),
    );
    expect(d.change!.patch).toEqual([
      { op: 'replace', path: '/spec/template/spec/containers/1/resources/limits/memory', value: '4Gi' },
    ]);
    expect(d.notes).toContain('The doubled limit was capped at the policy maximum 4Gi.');
  });

  it('lowers a request that would exceed the new limit, keeping requests ≤ limits', () => {
    const d = diagnose(oomWith({ limit: '3Gi', request: '6Gi' }));
    expect(d.change!.patch).toEqual([
      { op: 'replace', path: '/spec/template/spec/containers/0/resources/limits/memory', value: '4Gi' },
      { op: 'replace', path: '/spec/template/spec/containers/0/resources/requests/memory', value: '4Gi' },
    ]);
  });

  it.each([
    ['64Mi', '64Mi'],
    ['100M', '50M'],
    ['1Gi', '512Mi'],
  ])('never proposes a request above the limit (limit %s, request %s)', (limit, request) => {
    const patch = diagnose(oomWith({ limit, request })).change!.patch;
    const newLimit = parseQuantity(String(patch.find((p) => p.path.endsWith('limits/memory'))!.value))!;
    const newRequest = parseQuantity(
      String(patch.find((p) => p.path.endsWith('requests/memory'))?.value ?? request),
    )!;
    expect(newRequest).toBeLessThanOrEqual(newLimit);
  });

  it('proposes nothing when the limit is already at the cap', () => {
    const d = diagnose(oomWith({ limit: '4Gi' }));
    expect(d.change).toBeNull();
    expect(d.humanAction).toBe(
      'Container app is OOM-killed at 4Gi, already the maximum memory limit policy allows (AUTOFIX_MAX_MEMORY=4Gi): find why it needs more (leak, heap size settings) or raise AUTOFIX_MAX_MEMORY.',
    );
  });

  it('proposes nothing when the template has no memory limit to raise', () => {
    const d = diagnose(oomWith({}));
    expect(d.change).toBeNull();
    expect(d.humanAction).toContain('Set resources.limits.memory on container app explicitly');
  });

  it('points a probe at the declared port', () => {
    const d = diagnose(scenarios.probeWrongPort());
    expect(d.category).toBe('probe_failure');
    expect(d.change!.patch).toEqual([
      { op: 'replace', path: '/spec/template/spec/containers/0/readinessProbe/httpGet/port', value: 80 },
    ]);
    expect(d.change!.summary).toEqual(['point readiness probe of container web at port 80 (was 8080)']);
  });

  it('returns to the last healthy revision when a rollout broke the image', () => {
    const input = scenarios.imagePullRollout();
    const evidence = evidenceFrom(input);
    const d = diagnose(input);
    const previous = evidence.revisions.find((r) => r.revision === 1)!;
    expect(d.category).toBe('image_pull');
    expect(d.change!.patch).toEqual([{ op: 'replace', path: '/spec/template', value: previous.template }]);
    expect(JSON.stringify(d.change!.patch[0]!.value)).not.toContain('pod-template-hash');
    expect(d.change!.summary).toContain('container web image nginx:1.99 → nginx:1.25');
    expect(d.rootCause).toContain(
      'It began with revision 2 (web-7d9f8c6b5d); revision 1 (web-5d8c9f7b6d) had 3/3 pods ready.',
    );
  });

  it('prefers the rollback over raising memory when the new revision lowered the limit', () => {
    const input = rolloutOf(
      { name: 'api', containers: [app({ limit: '256Mi' })] },
      { name: 'api', containers: [app({ limit: '64Mi' })] },
      (p) => [
        statuses.crashLoopBackOff('app', 'ghcr.io/acme/api:2.3.1', p, { reason: 'OOMKilled', exitCode: 137 }),
      ],
    );
    const d = diagnose(input);
    expect(d.category).toBe('oom_killed');
    expect(d.change!.patch.map((p) => p.path)).toEqual(['/spec/template']);
    expect(d.change!.summary).toContain('container app limits.memory 64Mi → 256Mi');
  });

  it('does not roll back to a template that still refers to the missing ConfigMap', () => {
    const env = [
      { name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'LOG_LEVEL' } } },
    ];
    const input = rolloutOf(
      { containers: [{ name: 'web', image: 'nginx:1.25', env }] },
      { containers: [{ name: 'web', image: 'nginx:1.26', env }] },
      () => [statuses.createContainerConfigError('web', 'nginx:1.26', 'configmap "app-config" not found')],
    );
    const d = diagnose(input);
    expect(d.category).toBe('missing_config');
    expect(d.change).toBeNull();
  });

  it.each([
    [
      () => scenarios.missingConfig(),
      'Create ConfigMap `app-config` with key `LOG_LEVEL` in namespace `shop`, or mark the reference optional.',
    ],
    [
      () => scenarios.missingConfig(true),
      'Add key `LOG_LEVEL` to ConfigMap `app-config` in namespace `shop`, or mark the reference optional.',
    ],
    [() => scenarios.imagePull(), 'Push image `nginx:1.99` to its registry or fix the tag of container web.'],
    [
      () => scenarios.quotaExceeded(false),
      'Raise quota `compute` in `shop` (limits.memory: 1Gi of 1Gi used, a new pod needs 512Mi) or lower the requests.',
    ],
    [
      () => scenarios.crashLoopMissingEnv(),
      'Set environment variable POSTGRES_PASSWORD on container db (from a Secret).',
    ],
    [
      () => scenarios.unschedulableMemory(),
      "Lower the pod's memory request (8Gi) below the largest node allocatable (3831Mi) or add a node with more memory.",
    ],
  ])('says exactly what a human must do (%#)', (build, action) => {
    const d = diagnose(build());
    expect(d.change).toBeNull();
    expect(d.humanAction).toBe(action);
    expect(d.summary).toContain(action);
  });

  it('reports a healthy workload with no change', () => {
    const d = diagnose(scenarios.healthy());
    expect(d).toMatchObject({
      category: 'healthy',
      change: null,
      humanAction: null,
      confidence: 0.95,
      engine: 'rules',
    });
  });

  it('does not propose a patch an earlier iteration already tried', () => {
    const first = diagnose(scenarios.oomKilled());
    const attempt: AttemptFeedback = {
      iteration: 1,
      change: first.change,
      errors: ['policy: memory limit 128Mi exceeds the namespace LimitRange'],
    };
    const d = diagnose(scenarios.oomKilled(), [attempt]);
    expect(d.change).toBeNull();
    expect(d.humanAction).toContain('Find out why container app needs more memory than its limit 64Mi');
    expect(d.notes).toContain(
      'Not proposing the memory change again: iteration 1 tried it and it failed (policy: memory limit 128Mi exceeds the namespace LimitRange).',
    );
  });

  it('falls back to the next candidate when the rollback was tried', () => {
    const input = rolloutOf(
      { name: 'api', containers: [app({ limit: '256Mi' })] },
      { name: 'api', containers: [app({ limit: '64Mi' })] },
      (p) => [
        statuses.crashLoopBackOff('app', 'ghcr.io/acme/api:2.3.1', p, { reason: 'OOMKilled', exitCode: 137 }),
      ],
    );
    const rollback = diagnose(input).change;
    const d = diagnose(input, [
      {
        iteration: 1,
        change: rollback,
        errors: ['dry-run: admission webhook "policy.acme.io" denied the request'],
      },
    ]);
    expect(d.change!.patch).toEqual([
      { op: 'replace', path: '/spec/template/spec/containers/0/resources/limits/memory', value: '128Mi' },
    ]);
  });

  it('rolls back an unrecognised failure only when the rollout exceeded its deadline', () => {
    const input = rolloutOf(
      { containers: [{ name: 'web', image: 'nginx:1.25' }] },
      { containers: [{ name: 'web', image: 'nginx:1.26' }], progressDeadlineExceeded: true },
      () => [statuses.runningNotReady('web', 'nginx:1.26')],
    );
    const d = diagnose(input);
    expect(d.category).toBe('unknown');
    expect(d.change!.patch.map((p) => p.path)).toEqual(['/spec/template']);
    const quiet = diagnose(
      rolloutOf(
        { containers: [{ name: 'web', image: 'nginx:1.25' }] },
        { containers: [{ name: 'web', image: 'nginx:1.26' }] },
        () => [statuses.runningNotReady('web', 'nginx:1.26')],
      ),
    );
    expect(quiet).toMatchObject({ category: 'unknown', change: null });
    expect(quiet.humanAction).toBe(
      "Inspect `kubectl describe deployment/web -n shop` and the pods' events: no analyzer recognised a safe fix.",
    );
  });

  it('is a DiagnosisEngine named rules whose output matches the Diagnosis schema', async () => {
    const engine = createRulesEngine();
    expect([engine.name, engine.model]).toEqual(['rules', 'rules']);
    const evidence = evidenceFrom(scenarios.oomKilled());
    const r = await engine.diagnose({
      evidence,
      findings: runAnalyzers(evidence),
      previousAttempts: [],
      policy: POLICY,
    });
    expect(r.usage).toEqual([]);
    expect(r.exchange).toBeNull();
    expect(Diagnosis.parse(r.diagnosis)).toEqual(r.diagnosis);
    await expect(
      engine.diagnose({ evidence, findings: [], previousAttempts: [], policy: POLICY }, AbortSignal.abort()),
    ).rejects.toThrow();
  });
});
