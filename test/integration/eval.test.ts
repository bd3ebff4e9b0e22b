// `kube-autofix eval` end to end on the sandbox: a few cases through the real runner (judged from cluster
// facts), a deliberately broken analyzer that must show as a wrong category, and the LLM path with tokens and cost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { DiagnosisEngine } from '../../src/agent/diagnose/engine.js';
import { createRulesEngine } from '../../src/agent/diagnose/rules/rules-engine.js';
import { runEvalCommand, type EvalCommandDeps, type EvalOptions } from '../../src/cli/eval/eval-command.js';
import { EVAL_LABEL } from '../../src/cli/eval/run-eval-case.js';
import type { CaseResult, EvalSummary } from '../../src/cli/eval/score-eval.js';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../tools/stand-ins/openai-stand-in.js';
import { sandboxEnv } from './sandbox-env.js';
import { waitFor } from './support/wait-for.js';

interface Report {
  suiteId: string;
  engine: string;
  model: string;
  summary: EvalSummary;
  results: CaseResult[];
}

async function evalRun(opts: EvalOptions, env: Record<string, string> = {}, deps: EvalCommandDeps = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runEvalCommand(
    { cases: 'eval/cases', json: true, ...opts },
    {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      env: { KUBECONFIG: sandboxEnv().KUBECONFIG, ...env },
      isTty: false,
      confirm: async () => false,
    },
    deps,
  );
  return { code, stderr, report: JSON.parse(stdout) as Report };
}

/** Every namespace of the suite is gone or being deleted. */
async function namespacesCleaned(suiteId: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(sandboxEnv().KUBECONFIG);
  const core = kc.makeApiClient(CoreV1Api);
  const list = await core.listNamespace({ labelSelector: `${EVAL_LABEL}=${suiteId}` });
  expect(list.items.filter((n) => !n.metadata?.deletionTimestamp).map((n) => n.metadata?.name)).toEqual([]);
}

/** The rule engine fed by analyzers that miss OOM kills (as a broken analyzer would). */
function engineBlindToOom(): DiagnosisEngine {
  const rules = createRulesEngine();
  return {
    name: rules.name,
    model: rules.model,
    diagnose: (input, signal) =>
      rules.diagnose(
        { ...input, findings: input.findings.filter((f) => f.category !== 'oom_killed') },
        signal,
      ),
  };
}

describe('kube-autofix eval on the sandbox', () => {
  it('runs cases in parallel in their own namespaces, judges heals from the cluster and cleans up', async () => {
    const { code, stderr, report } = await evalRun(
      { only: ['healthy', 'oom-killed', 'missing-configmap'], parallel: 3 },
      { MLFLOW_TRACKING_URI: sandboxEnv().MLFLOW_TRACKING_URI },
    );
    expect(stderr).toContain('3 case(s) × 1, 3 at a time, engine rules');
    expect(report.summary).toMatchObject({
      cases: 3,
      brokenCases: 0,
      errors: 0,
      categoryAccuracy: 1,
      healRate: 1,
    });
    const oom = report.results.find((r) => r.name === 'oom-killed');
    expect(oom).toMatchObject({ healed: true, finalOutcome: 'fixed', status: 'ok' });
    expect(oom?.secondsToHealthy).toBeGreaterThan(0);
    expect(oom?.investigationRunId).toMatch(/^[0-9a-f]{32}$/);
    expect(report.results.find((r) => r.name === 'missing-configmap')?.healed).toBe(false);
    expect(code).toBe(0);
    await namespacesCleaned(report.suiteId);
  });

  it('a deliberately broken analyzer shows as a wrong category, not as a timeout', async () => {
    const { report } = await evalRun(
      { only: ['oom-killed'], fix: false },
      {},
      { makeEngine: engineBlindToOom },
    );
    const r = report.results[0]!;
    expect(r.status).toBe('ok');
    expect(r.error).toBeNull();
    expect(r.category).not.toBe('oom_killed');
    expect(report.summary.categoryAccuracy).toBe(0);
    expect(report.summary.passed).toBe(false);
  });
});

describe('kube-autofix eval with the LLM engine (OpenAI stand-in)', () => {
  let llm: OpenAiStandIn;
  beforeAll(async () => {
    llm = await startOpenAiStandIn();
  });
  afterAll(async () => {
    await llm.close();
  });

  it('fills the token and cost columns from the model usage', async () => {
    llm.push({
      json: {
        category: 'oom_killed',
        rootCause: 'Container app was OOMKilled (exit code 137); its 64Mi limit is below its working set.',
        summary: 'The app needs more memory than its 64Mi limit.',
        confidence: 0.9,
        change: {
          summary: ['raise memory limit of container app from 64Mi to 256Mi'],
          patch: [
            {
              op: 'replace',
              path: '/spec/template/spec/containers/0/resources/limits/memory',
              valueJson: '"256Mi"',
            },
          ],
        },
        humanAction: null,
      },
    });
    const { report } = await evalRun(
      { only: ['oom-killed'] },
      {
        OPENAI_API_KEY: llm.apiKey,
        OPENAI_BASE_URL: llm.url,
        AUTOFIX_MODEL: 'gpt-4o-mini',
        AUTOFIX_LLM_MAX_RETRIES: '0',
      },
    );
    await waitFor(async () => llm.requests.length >= 1, { what: 'the diagnosis request', timeoutMs: 5000 });
    const r = report.results[0]!;
    expect(report.engine).toBe('llm');
    expect(r).toMatchObject({ category: 'oom_killed', outcome: 'proposed', healed: true, llmCalls: 1 });
    expect(r.promptTokens).toBeGreaterThan(0);
    expect(r.completionTokens).toBeGreaterThan(0);
    expect(r.costUsd).toBeGreaterThan(0);
    expect(report.summary.promptTokensPerIteration).toBe(r.promptTokens);
  });
});
