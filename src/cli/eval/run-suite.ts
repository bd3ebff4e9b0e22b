// Runs every (case, attempt) pair with at most N at once; each pair has its own namespace.
import type { EvalCase } from './eval-case.js';
import { runEvalCase, type EvalDeps } from './run-eval-case.js';
import type { CaseResult } from './score-eval.js';

export interface SuiteOptions {
  parallel: number;
  repeat: number;
  /** Called as each case finishes (progress on stderr, MLflow nested runs). */
  onResult?: (r: CaseResult) => Promise<void> | void;
  /** Runs one case; default runEvalCase (a test passes a recorder). */
  runCase?: (c: EvalCase, attempt: number, deps: EvalDeps) => Promise<CaseResult>;
}

/** Results in case order, attempts in order, whatever order they finished in. */
export async function runSuite(cases: EvalCase[], deps: EvalDeps, opts: SuiteOptions): Promise<CaseResult[]> {
  const jobs = cases.flatMap((c) => Array.from({ length: opts.repeat }, (_, i) => ({ c, attempt: i + 1 })));
  const results: CaseResult[] = new Array<CaseResult>(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      const job = jobs[i]!;
      const r = await (opts.runCase ?? runEvalCase)(job.c, job.attempt, deps);
      results[i] = r;
      await opts.onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.parallel, jobs.length)) }, lane));
  return results;
}
