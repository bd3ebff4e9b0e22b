// Runs every (case, attempt) pair with at most N at once; each pair has its own namespace. Also the lanes replay uses.
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

/** `run` on every item, at most `parallel` at once; results in item order whatever order they finished in. */
export async function inLanes<T, R>(
  items: readonly T[],
  parallel: number,
  run: (item: T) => Promise<R>,
  onResult?: (r: R) => Promise<void> | void,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const r = await run(items[i]!);
      results[i] = r;
      await onResult?.(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, lane));
  return results;
}

/** Results in case order, attempts in order, whatever order they finished in. */
export async function runSuite(cases: EvalCase[], deps: EvalDeps, opts: SuiteOptions): Promise<CaseResult[]> {
  const jobs = cases.flatMap((c) => Array.from({ length: opts.repeat }, (_, i) => ({ c, attempt: i + 1 })));
  return inLanes(
    jobs,
    opts.parallel,
    (job) => (opts.runCase ?? runEvalCase)(job.c, job.attempt, deps),
    opts.onResult,
  );
}
