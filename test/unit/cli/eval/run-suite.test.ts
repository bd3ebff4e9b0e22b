// The suite runner: every case × attempt once, never more than N at a time, results in case order.
import { describe, expect, it } from 'vitest';
import { loadCases } from '../../../../src/cli/eval/eval-case.js';
import { DEFAULT_TIMING } from '../../../../src/cli/eval/judge-case.js';
import { DEFAULT_PRICES } from '../../../../src/cli/eval/price-table.js';
import { caseNamespace, type EvalDeps } from '../../../../src/cli/eval/run-eval-case.js';
import { runSuite } from '../../../../src/cli/eval/run-suite.js';
import type { CaseResult } from '../../../../src/cli/eval/score-eval.js';
import { createLogger } from '../../../../src/observability/logger.js';

const deps: EvalDeps = {
  logger: createLogger('silent'),
  fix: true,
  timing: DEFAULT_TIMING,
  prices: DEFAULT_PRICES,
  env: {},
  suiteId: 'a1b2c3',
};

describe('runSuite', () => {
  it('runs each case K times with at most N in flight and keeps case order', async () => {
    const cases = loadCases('eval/cases').slice(0, 5);
    let inFlight = 0;
    let peak = 0;
    const started: string[] = [];
    const results = await runSuite(cases, deps, {
      parallel: 3,
      repeat: 2,
      runCase: async (c, attempt) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        started.push(`${c.name}#${attempt}`);
        // Later jobs finish first, so order must come from the job list, not completion.
        await new Promise((r) => setImmediate(r));
        inFlight--;
        return { name: c.name, attempt } as CaseResult;
      },
    });
    expect(peak).toBe(3);
    expect(started).toHaveLength(10);
    expect(results.map((r) => `${r.name}#${r.attempt}`)).toEqual(
      cases.flatMap((c) => [`${c.name}#1`, `${c.name}#2`]),
    );
  });

  it('namespaces are valid DNS labels, unique per case and attempt', () => {
    const long = 'two-faults-bad-tag-and-missing-configmap-and-more-words-still';
    const ns = caseNamespace('a1b2c3', long, 12);
    expect(ns.length).toBeLessThanOrEqual(63);
    expect(ns).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(caseNamespace('a1b2c3', 'x', 1)).not.toBe(caseNamespace('a1b2c3', 'x', 2));
  });
});
