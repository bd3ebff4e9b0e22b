// The triage message: exactly the unhealthy workloads, most severe first, Investigate buttons, within Block Kit limits at any size.
import { SLACK_LIMITS, blocksTextLength } from '../../../../src/slack/slack-limits.js';
import { describe, expect, it } from 'vitest';
import { Target } from '../../../../src/domain/index.js';
import type { types } from '@slack/bolt';
import {
  MAX_TRIAGE_ITEMS,
  buildTriageMessage,
  type TriageView,
} from '../../../../src/slack/blocks/triage-message.js';
import { parseInvestigateClick } from '../../../../src/bot/investigate-click.js';
import { slackBlockProblems } from '../../../../tools/stand-ins/local-slack/slack-block-rules.js';

function view(count: number, lineLength = 80): TriageView {
  return {
    cluster: 'prod-eu',
    namespace: 'shop',
    workloads: count + 3,
    apiCalls: 7,
    requestedBy: 'U0ALICE',
    unhealthy: Array.from({ length: count }, (_, i) => ({
      target: { kind: 'Deployment' as const, name: `web-${String(i).padStart(3, '0')}`, namespace: 'shop' },
      category: 'crash_loop' as const,
      severity: i < 5 ? ('critical' as const) : ('warning' as const),
      line: `Container app exits with code 1 <@U0EVIL> & ${'x'.repeat(lineLength)}`,
      ready: '0/3',
    })),
  };
}

const buttons = (blocks: types.KnownBlock[]): types.Button[] =>
  blocks.flatMap((b) =>
    b.type === 'section' && b.accessory?.type === 'button' ? [b.accessory as types.Button] : [],
  );

function click(value: string, actionId = 'autofix_investigate'): unknown {
  return {
    type: 'block_actions',
    user: { id: 'U0BOB', team_id: 'T0' },
    team: { id: 'T0' },
    trigger_id: 't',
    response_url: 'https://hooks.slack.test/r',
    container: { type: 'message', message_ts: '1.2', channel_id: 'C0SHOP' },
    channel: { id: 'C0SHOP' },
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1.3' }],
  };
}

describe('buildTriageMessage', () => {
  it('lists each unhealthy workload once, in the given (severity) order, with an Investigate button', () => {
    const m = buildTriageMessage(view(2));
    expect(slackBlockProblems(m.blocks)).toEqual([]);
    const b = buttons(m.blocks);
    expect(b.map((x) => x.action_id)).toEqual(['autofix_investigate', 'autofix_investigate']);
    expect(b.map((x) => Target.parse(JSON.parse(x.value!)).name)).toEqual(['web-000', 'web-001']);
    expect(JSON.stringify(m.blocks)).not.toContain('<@U0EVIL>');
    expect(m.text).toContain('2 of 5 workloads unhealthy');
    expect(m.text).toContain('on cluster `prod-eu`');
  });

  it('stays within 50 blocks and 3000-character sections with 200 entries, and says how many are left out', () => {
    const m = buildTriageMessage(view(200, 5000));
    expect(slackBlockProblems(m.blocks)).toEqual([]);
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    // As many as fit the block count and Slack's total text budget, the rest counted.
    const shown = buttons(m.blocks).length;
    expect(shown).toBeGreaterThan(20);
    expect(shown).toBeLessThanOrEqual(MAX_TRIAGE_ITEMS);
    expect(blocksTextLength(m.blocks)).toBeLessThanOrEqual(SLACK_LIMITS.blocksText);
    const last = JSON.stringify(m.blocks.at(-1));
    expect(last).toContain(`and ${200 - shown} more`);
    expect(last).toContain('kube-autofix triage -n shop');
  });

  it('a healthy namespace gets one short line with the workload count and no buttons', () => {
    const m = buildTriageMessage({ ...view(0), workloads: 12 });
    expect(m.text).toContain('all 12 workloads healthy');
    expect(buttons(m.blocks)).toEqual([]);
  });
});

describe('parseInvestigateClick', () => {
  it('reads the target and its cluster back from the button it built', () => {
    const value = buttons(buildTriageMessage(view(1)).blocks)[0]!.value!;
    expect(parseInvestigateClick(click(value))).toEqual({
      ok: true,
      click: {
        cluster: 'prod-eu',
        target: { kind: 'Deployment', name: 'web-000', namespace: 'shop' },
        userId: 'U0BOB',
        channelId: 'C0SHOP',
        teamId: 'T0',
      },
    });
  });

  it('a button posted before clusters existed investigates on the default cluster', () => {
    const old = JSON.stringify({ kind: 'Deployment', name: 'web', namespace: 'shop' });
    expect(parseInvestigateClick(click(old))).toMatchObject({ ok: true, click: { cluster: 'default' } });
  });

  it.each([
    ['not JSON', 'deployment/web'],
    [
      'a bad cluster',
      JSON.stringify({ kind: 'Deployment', name: 'web', namespace: 'shop', cluster: 'Prod EU' }),
    ],
    ['not a workload', JSON.stringify({ kind: 'Pod', name: 'web', namespace: 'shop' })],
    ['bad name', JSON.stringify({ kind: 'Deployment', name: 'Web;rm', namespace: 'shop' })],
  ])('refuses a forged value: %s', (_why, value) => {
    expect(parseInvestigateClick(click(value)).ok).toBe(false);
  });

  it('ignores other buttons', () => {
    expect(parseInvestigateClick(click('prop_1', 'autofix_approve')).ok).toBe(false);
  });
});
