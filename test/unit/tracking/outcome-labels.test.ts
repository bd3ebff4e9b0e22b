import { describe, expect, it } from 'vitest';
import {
  expectedCategoryLabels,
  feedbackLabels,
  isLabelled,
  parseCorrection,
  readLabels,
  rollbackLabels,
  rolloutLabels,
  verdictLabels,
} from '../../../src/tracking/outcome-labels.js';

const change = {
  summary: ['raise memory'],
  patch: [
    {
      op: 'replace' as const,
      path: '/spec/template/spec/containers/0/resources/limits/memory',
      value: '128Mi',
    },
  ],
};

describe('outcome labels', () => {
  it('reads back what each step wrote, per iteration', () => {
    const tags = {
      ...verdictLabels(1, 'approved', change),
      ...rolloutLabels(1, false),
      ...verdictLabels(2, 'approved', change),
      ...rolloutLabels(2, true),
      ...rollbackLabels(2),
      ...feedbackLabels(false, 'wrong diagnosis: it was crash loop'),
    };
    expect(readLabels(tags, 1)).toMatchObject({
      verdict: 'approved',
      applied: true,
      healthy: false,
      rolledBack: false,
    });
    expect(readLabels(tags, 2)).toMatchObject({
      verdict: 'approved',
      approvedChange: change.patch,
      healthy: true,
      rolledBack: true,
      feedback: 'down',
      feedbackReason: 'wrong diagnosis: it was crash loop',
      expectedCategory: 'crash_loop',
      expectedSource: 'human',
    });
    expect(readLabels(tags, 3)).toMatchObject({ verdict: null, applied: false, healthy: null });
    expect(isLabelled(readLabels({}, 1))).toBe(false);
    expect(isLabelled(readLabels(verdictLabels(1, 'rejected'), 1))).toBe(true);
  });

  it('keeps a change too long for a tag as its digest', () => {
    const big = { ...change, patch: [{ ...change.patch[0]!, value: 'x'.repeat(9000) }] };
    const l = readLabels(verdictLabels(1, 'approved', big), 1);
    expect(l.approvedChange).toBeNull();
    expect(l.approvedChangeDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('takes a correction only when it names a category', () => {
    expect(parseCorrection('Wrong diagnosis: it was OOM killed')).toBe('oom_killed');
    expect(parseCorrection('wrong diagnosis - image_pull, the tag was fine')).toBe('image_pull');
    expect(parseCorrection('wrong diagnosis: it was the network')).toBeNull();
    expect(parseCorrection('great, thanks')).toBeNull();
    expect(parseCorrection(null)).toBeNull();
    expect(feedbackLabels(true, 'nice')).not.toHaveProperty('autofix.label.expected_category');
    expect(readLabels(expectedCategoryLabels('healthy', 'eval'), 1)).toMatchObject({
      expectedCategory: 'healthy',
      expectedSource: 'eval',
    });
  });

  it('ignores damaged values', () => {
    const l = readLabels(
      {
        'autofix.label.1.verdict': 'maybe',
        'autofix.label.1.approved_change': '{nope',
        'autofix.label.expected_category': 'x',
      },
      1,
    );
    expect(l).toMatchObject({ verdict: null, approvedChange: null, expectedCategory: null });
  });
});
