// `kube-autofix eval` end to end on the sandbox (a subset of the cases, with fixes).
import { describe, expect, it } from 'vitest';
import { runEvalCommand } from '../../src/cli/eval/eval-command.js';
import { sandboxEnv } from './sandbox-env.js';

describe('kube-autofix eval', () => {
  it('runs cases in their own namespaces and scores them', async () => {
    let stdout = '';
    let stderr = '';
    const code = await runEvalCommand(
      { cases: 'eval/cases', only: ['healthy', 'oom-killed', 'missing-configmap'], fix: true, json: true },
      {
        stdout: (s) => (stdout += s),
        stderr: (s) => (stderr += s),
        env: { KUBECONFIG: sandboxEnv().KUBECONFIG },
        isTty: false,
        confirm: async () => false,
      },
    );
    const report = JSON.parse(stdout) as {
      engine: string;
      summary: { cases: number; categoryAccuracy: number; healRate: number; passed: boolean };
      results: Array<{ name: string; healed: boolean | null }>;
    };
    expect(stderr).toContain('eval: 3 case(s), engine rules');
    expect(report.summary).toMatchObject({ cases: 3, categoryAccuracy: 1, healRate: 1, passed: true });
    expect(report.results.find((r) => r.name === 'oom-killed')?.healed).toBe(true);
    expect(code).toBe(0);
  });
});
