// "Seen before" and history hints: same workload, same category, within 30 days, newest first.
import { describe, expect, it } from 'vitest';
import { historyHints, seenBeforeLine, type PastIncident } from '../../../src/tracking/past-incidents.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY = 86_400_000;

function past(daysAgo: number, over: Partial<PastIncident> = {}): PastIncident {
  return {
    runId: `r${daysAgo}`,
    runUrl: null,
    startedAt: NOW - daysAgo * DAY,
    category: 'image_pull',
    outcome: 'fixed',
    rootCause: 'tag v9 does not exist',
    change: 'roll back to revision 4',
    approvedBy: 'alice',
    approvals: null,
    appliedAs: null,
    timeToHealthySeconds: 40.2,
    threadUrl: null,
    engine: 'rules',
    ...over,
  };
}

describe('seenBeforeLine', () => {
  it('counts the same failure within 30 days and describes the newest one', () => {
    const line = seenBeforeLine(
      [
        past(40),
        past(2, { change: 'set image to web:1.2' }),
        past(1),
        past(3),
        past(1, { category: 'oom_killed' }),
      ],
      'image_pull',
      NOW,
    );
    expect(line).toBe(
      'seen 3 times in 30 days; last time: roll back to revision 4, approved by @alice, healthy in 40 s',
    );
  });

  it('is null the first time, and says "once" for one earlier incident without a heal', () => {
    expect(seenBeforeLine([past(1, { category: 'oom_killed' })], 'image_pull', NOW)).toBeNull();
    expect(
      seenBeforeLine(
        [past(5, { outcome: 'rejected', approvedBy: null, timeToHealthySeconds: null })],
        'image_pull',
        NOW,
      ),
    ).toBe('seen once in 30 days; last time: roll back to revision 4, outcome rejected');
  });
});

describe('historyHints', () => {
  it('gives the last three outcomes, newest first, without user ids', () => {
    const hints = historyHints([past(9), past(1), past(5), past(3)]);
    expect(hints).toHaveLength(3);
    expect(hints[0]).toMatch(
      /^2026-11-30 12:00 image_pull: tag v9 does not exist; change: roll back to revision 4; outcome fixed$/,
    );
    expect(hints.join('\n')).not.toContain('alice');
  });
});
