// `/autofix clusters`: health, versions, allowlists and last sightings, within Block Kit limits at any fleet size.
import { describe, expect, it } from 'vitest';
import {
  agoText,
  buildClustersMessage,
  type ClusterListView,
} from '../../../../src/slack/blocks/clusters-message.js';
import { slackBlockProblems } from '../../../../tools/stand-ins/local-slack/slack-block-rules.js';

const worker = (over: Partial<ClusterListView['workers'][number]> = {}) => ({
  workerId: 'w1',
  version: '0.1.0',
  engine: 'rules',
  concurrency: 2,
  live: true,
  ageMs: 1000,
  stopped: false,
  ...over,
});
const cluster = (name: string, over: Partial<ClusterListView> = {}): ClusterListView => ({
  name,
  namespaces: ['shop', 'payments'],
  lastSeenMs: 1000,
  workers: [worker()],
  channelDefault: false,
  ...over,
});

describe('buildClustersMessage', () => {
  it('says each cluster’s health, capacity, engine and allowlist; a gone one when it was last seen', () => {
    const m = buildClustersMessage([
      cluster('prod-eu', { lastSeenMs: 12 * 60_000, workers: [worker({ live: false, ageMs: 12 * 60_000 })] }),
      cluster('staging', {
        channelDefault: true,
        workers: [worker(), worker({ workerId: 'w2', engine: 'llm:gpt-4o-mini' })],
      }),
    ]);
    expect(slackBlockProblems(m.blocks)).toEqual([]);
    const text = JSON.stringify(m.blocks);
    expect(m.text).toBe('kube-autofix clusters: 2 clusters, 1 served now');
    expect(text).toContain('*prod-eu* — :red_circle: no live worker; last seen 12 min ago');
    expect(text).toContain('*staging* _(this channel’s default)_ — :large_green_circle: 2 live workers');
    expect(text).toContain('4 jobs at once');
    expect(text).toContain('engine `rules`, `llm:gpt-4o-mini`');
    expect(text).toContain('namespaces `shop`, `payments`');
  });

  it('warns when a cluster’s workers run different versions', () => {
    const m = buildClustersMessage([cluster('a', { workers: [worker(), worker({ version: '0.2.0' })] })]);
    expect(JSON.stringify(m.blocks)).toContain('different versions');
  });

  it('with no worker registered, says how to start one', () => {
    expect(buildClustersMessage([]).text).toMatch(/No kube-autofix worker has registered yet/);
  });

  it('stays within Slack’s limits with 200 clusters and says how many are left out', () => {
    const m = buildClustersMessage(Array.from({ length: 200 }, (_, i) => cluster(`c${i}`)));
    expect(slackBlockProblems(m.blocks)).toEqual([]);
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(m.blocks.at(-1))).toContain('and 152 more');
  });

  it.each([
    [2000, 'just now'],
    [45_000, '45 s ago'],
    [12 * 60_000, '12 min ago'],
    [3 * 3600_000, '3 h ago'],
    [3 * 86_400_000, '3 days ago'],
  ])('agoText(%d) = %s', (ms, text) => {
    expect(agoText(ms)).toBe(text);
  });
});
