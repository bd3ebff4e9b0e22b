// finishRun: the final success metric, the outcome tag (errors redacted), and FINISHED/FAILED by outcome.
import { describe, expect, it } from 'vitest';
import { finishRun, runStatusFor } from '../../../src/workflow/finish-run.js';
import type { InvestigationResult } from '../../../src/domain/index.js';
import { NoopTracker } from '../../../src/tracking/no-op-tracker.js';
import type { InvestigationRun } from '../../../src/tracking/tracker.js';

/** A run that records what it is told, on top of the no-op run. */
async function recordingRun(): Promise<{ run: InvestigationRun; calls: unknown[][] }> {
  const base = await new NoopTracker().startInvestigation({} as never);
  const calls: unknown[][] = [];
  const run: InvestigationRun = {
    ...base,
    logMetrics: async (m, step) => void calls.push(['metrics', m, step]),
    setTags: async (t) => void calls.push(['tags', t]),
    end: async (s) => void calls.push(['end', s]),
  };
  return { run, calls };
}

describe('runStatusFor', () => {
  it.each<[InvestigationResult['outcome'], string]>([
    ['healthy', 'FINISHED'],
    ['proposed', 'FINISHED'],
    ['no_safe_fix', 'FINISHED'],
    ['fixed', 'FINISHED'],
    ['not_fixed', 'FAILED'],
    ['refused', 'FAILED'],
    ['error', 'FAILED'],
  ])('%s → %s', (outcome, status) => {
    expect(runStatusFor(outcome)).toBe(status);
  });
});

describe('finishRun', () => {
  it('logs success 1 for a reached goal, tags the outcome, ends FINISHED', async () => {
    const { run, calls } = await recordingRun();
    await finishRun(run, { outcome: 'proposed', error: null });
    expect(calls).toEqual([
      ['metrics', { success: 1 }, undefined],
      ['tags', { 'autofix.outcome': 'proposed' }],
      ['end', 'FINISHED'],
    ]);
  });

  it('logs success 0 and a redacted error, ends FAILED', async () => {
    const { run, calls } = await recordingRun();
    await finishRun(run, {
      outcome: 'error',
      error: 'apply failed: Authorization: Bearer abcdefgh12345678 rejected',
    });
    expect(calls).toEqual([
      ['metrics', { success: 0 }, undefined],
      [
        'tags',
        {
          'autofix.outcome': 'error',
          'autofix.error': 'apply failed: Authorization: Bearer [REDACTED] rejected',
        },
      ],
      ['end', 'FAILED'],
    ]);
  });
});
