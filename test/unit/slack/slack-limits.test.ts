// Text helpers behind every Slack message: escaping, safe truncation, code blocks that never stay open.
import { describe, expect, it } from 'vitest';
import {
  bulletList,
  blocksTextLength,
  fullCodeBlocks,
  escapeMrkdwn,
  link,
  mention,
  safeMrkdwn,
  slackDate,
  truncateMrkdwn,
  truncateText,
  unescapeSlackText,
} from '../../../src/slack/slack-limits.js';

const fences = (s: string): number => (s.match(/```/g) ?? []).length;

describe('escaping', () => {
  it('escapes exactly &, < and >', () => {
    expect(escapeMrkdwn('a & b <@U1> <!channel> *bold* `x`')).toBe(
      'a &amp; b &lt;@U1&gt; &lt;!channel&gt; *bold* `x`',
    );
  });

  it('unescapes in one pass', () => {
    expect(unescapeSlackText('&lt;@U1&gt; &amp;lt; &amp;amp;')).toBe('<@U1> &lt; &amp;');
    expect(unescapeSlackText(escapeMrkdwn('<a & b>'))).toBe('<a & b>');
  });

  it('mentions only real user ids', () => {
    expect(mention('U012ABCDEF')).toBe('<@U012ABCDEF>');
    expect(mention('W012ABC')).toBe('<@W012ABC>');
    expect(mention('<!channel>')).toBe('&lt;!channel&gt;');
    expect(mention('u1|x')).toBe('u1|x');
  });

  it('links only http(s) URLs, and cannot be broken out of', () => {
    expect(link('http://mlflow:5000/#/experiments/1/runs/abc', 'MLflow run')).toBe(
      '<http://mlflow:5000/#/experiments/1/runs/abc|MLflow run>',
    );
    expect(link('javascript:alert(1)', 'x')).toBe('javascript:alert(1)');
    expect(link('not a url', 'x')).toBe('not a url');
    const tricky = link('https://h/a|b>c<!channel>', 'l|<x>');
    expect(tricky).toBe('<https://h/a%7Cb%3Ec%3C!channel%3E|l  x >');
  });

  it('renders dates for each reader with an ISO fallback', () => {
    expect(slackDate('2026-01-02T03:04:05.000Z')).toBe(
      '<!date^1767323045^{date_short_pretty} at {time}|2026-01-02T03:04:05Z>',
    );
    expect(slackDate('<soon>')).toBe('&lt;soon&gt;');
  });
});

describe('truncation', () => {
  it('leaves short text alone and cuts long text with an ellipsis', () => {
    expect(truncateText('abc', 3)).toBe('abc');
    expect(truncateText('abcdef', 4)).toBe('abc…');
  });

  it('never splits a surrogate pair', () => {
    const cut = truncateText('ab🔥🔥🔥', 4);
    expect(cut).toBe('ab…');
    expect(cut.length).toBeLessThanOrEqual(4);
  });

  it('never ends inside an entity', () => {
    const escaped = escapeMrkdwn('x'.repeat(10) + '&&&&&&');
    for (let max = 8; max < escaped.length; max += 1) {
      const cut = truncateMrkdwn(escaped, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut).not.toMatch(/&[a-z]{0,4}…$/);
    }
  });

  it('closes a code fence it cut open, within the limit', () => {
    const text = 'intro\n```\n' + 'line\n'.repeat(200) + '```\nafter';
    for (const max of [20, 50, 333, 1000]) {
      const cut = truncateMrkdwn(text, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(fences(cut) % 2).toBe(0);
    }
  });

  it('escapes before truncating user text', () => {
    const out = safeMrkdwn('<!channel> ' + 'x'.repeat(5000), 100);
    expect(out.startsWith('&lt;!channel&gt;')).toBe(true);
    expect(out.length).toBeLessThanOrEqual(100);
  });

  it('bullet lists say how many items did not fit', () => {
    const items = Array.from({ length: 500 }, (_, i) => `change number ${i} <x>`);
    const list = bulletList(items, 300);
    expect(list.length).toBeLessThanOrEqual(300);
    expect(list).toMatch(/… and \d+ more$/);
    expect(list).toContain('&lt;x&gt;');
  });
});

describe('fullCodeBlocks', () => {
  it('wraps text in one fenced block when it fits', () => {
    expect(fullCodeBlocks('a\nb\n')).toEqual(['```\na\nb\n```']);
  });

  it('escapes and neutralises inner fences so the block cannot be closed early', () => {
    const out = fullCodeBlocks('echo ```<!here>```');
    expect(out).toHaveLength(1);
    expect(fences(out[0]!)).toBe(2);
    expect(out[0]).toContain('&lt;!here&gt;');
  });

  it('splits huge diffs on line boundaries into blocks within the limit, leaving nothing out', () => {
    const diff = Array.from({ length: 5000 }, (_, i) => `+  line ${i} & <value>`).join('\n');
    const out = fullCodeBlocks(diff, 3000);
    for (const b of out) {
      expect(b.length).toBeLessThanOrEqual(3000);
      expect(b.startsWith('```\n') && b.endsWith('\n```')).toBe(true);
      expect(fences(b)).toBe(2);
    }
    const shown = out.flatMap((b) => b.slice(4, -4).split('\n'));
    expect(shown).toHaveLength(5000);
    expect(shown[4999]).toBe('+  line 4999 &amp; &lt;value&gt;');
  });

  it('splits a single enormous line across blocks instead of cutting it', () => {
    const out = fullCodeBlocks('x'.repeat(10_000), 3000);
    expect(out.length).toBeGreaterThan(3);
    expect(out.map((b) => b.slice(4, -4)).join('')).toBe('x'.repeat(10_000));
  });

  it('reports an empty input as no blocks', () => {
    expect(fullCodeBlocks('')).toEqual([]);
  });
});

describe('blocksTextLength', () => {
  it('counts every text string in the blocks, nested or not', () => {
    const blocks = [
      { type: 'section', text: { type: 'mrkdwn', text: 'abc' } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'de' }] },
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Go' }, value: 'xyz' }],
      },
    ];
    expect(blocksTextLength(blocks)).toBe(7);
  });
});
