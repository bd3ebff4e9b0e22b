// The local Slack's Block Kit and mrkdwn rendering: faithful enough to judge a message, and never markup from text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { escapeHtml, markup } from '../../../../../tools/stand-ins/local-slack/html.js';
import { renderMessageBody } from '../../../../../tools/stand-ins/local-slack/render-blocks.js';
import { renderMrkdwn } from '../../../../../tools/stand-ins/local-slack/render-mrkdwn.js';

const hostile = JSON.parse(
  readFileSync(new URL('../../../../corpus/html-injection.json', import.meta.url), 'utf8'),
) as string[];

const names = (id: string): string | null => (id === 'U0PRIYA' ? 'Priya' : null);
const mk = (text: string): string => renderMrkdwn(text, { userName: names }).value;

// What our renderers may emit; anything else in the output would have come from text.
const TAGS = new Set(['div', 'span', 'b', 'i', 's', 'code', 'pre', 'a', 'br', 'blockquote', 'hr', 'button']);
const SVG_TAGS = new Set(['svg', 'rect', 'path', 'circle']);
const ATTRS =
  /^(class|href|target|rel|title|role|type|aria-label|aria-hidden|focusable|viewBox|width|height|fill|stroke|stroke-width|stroke-linecap|stroke-linejoin|d|x|y|rx|cx|cy|r|data-[a-z-]+)$/;

/** Every tag is one of ours, every attribute known, every href safe, and no `<` is left outside a tag. */
function markupProblems(out: string): string[] {
  const problems: string[] = [];
  const tag = /<\/?([a-zA-Z][\w-]*)((?:\s+[\w:-]+(?:="[^"]*")?)*)\s*\/?>/g;
  for (const m of out.matchAll(tag)) {
    if (!TAGS.has(m[1]!) && !SVG_TAGS.has(m[1]!)) problems.push(`tag ${m[1]}`);
    for (const a of m[2]!.matchAll(/([\w:-]+)(?:="([^"]*)")?/g)) {
      if (!ATTRS.test(a[1]!)) problems.push(`attribute ${a[1]}`);
      if (a[1] === 'href' && !/^(https?:|mailto:)/i.test(a[2] ?? '')) problems.push(`href ${a[2]}`);
    }
  }
  if (/</.test(out.replace(tag, ''))) problems.push('a < outside any tag');
  return problems;
}

describe('mrkdwn', () => {
  it('renders formatting, code, links, mentions, dates, quotes and emoji like Slack', () => {
    expect(mk('*Root cause:* _soon_ ~gone~ `image_pull`')).toBe(
      '<b>Root cause:</b> <i>soon</i> <s>gone</s> <code class="mk-code">image_pull</code>',
    );
    expect(mk('snake_case_word and 2*3*4 stay plain')).toBe('snake_case_word and 2*3*4 stay plain');
    expect(mk('```\n-  image: nginx:1.99\n+  image: nginx:1.27\n```')).toBe(
      '<pre class="mk-pre">-  image: nginx:1.99\n+  image: nginx:1.27</pre>',
    );
    expect(mk('*not bold inside code:*\n```\n*x* &lt;b&gt;\n```')).toContain(
      '<pre class="mk-pre">*x* &lt;b&gt;</pre>',
    );
    expect(mk('<http://127.0.0.1:5000/#/experiments/1/runs/ab|MLflow run>')).toBe(
      '<a class="mk-link" href="http://127.0.0.1:5000/#/experiments/1/runs/ab" target="_blank" rel="noopener noreferrer">MLflow run</a>',
    );
    expect(mk('by <@U0PRIYA> and <@U0OTHER>')).toBe(
      'by <span class="mk-mention" data-user="U0PRIYA">@Priya</span> and <span class="mk-mention" data-user="U0OTHER">@U0OTHER</span>',
    );
    expect(mk('<!date^1796158800^{date_short_pretty} at {time}|2026-12-01T21:00:00Z>')).toBe(
      '<span class="mk-date">Dec 1, 2026 at 21:00 UTC</span>',
    );
    expect(mk('&gt; quoted\nafter')).toBe('<blockquote class="mk-quote">quoted</blockquote>after');
    expect(mk('a &amp;lt; b')).toBe('a &amp;lt; b');
    expect(mk(':white_check_mark: ok :not_an_emoji:')).toMatch(
      /^<span class="mk-emoji" role="img" aria-label=":white_check_mark:".*<\/span> ok :not_an_emoji:$/,
    );
  });

  it('keeps unsafe link schemes as text', () => {
    expect(mk('<javascript:alert(1)|click me>')).toBe('click me');
    expect(mk('<data:text/html,x>')).toBe('data:text/html,x');
  });

  it.each(hostile)('never turns text into markup: %j', (text) => {
    expect(markupProblems(mk(text))).toEqual([]);
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text } },
      { type: 'section', text: { type: 'mrkdwn', text }, fields: [{ type: 'plain_text', text }] },
      { type: 'context', elements: [{ type: 'mrkdwn', text }] },
      {
        type: 'actions',
        block_id: text,
        elements: [
          { type: 'button', action_id: text, value: text, text: { type: 'plain_text', text }, url: text },
          {
            type: 'button',
            action_id: 'b',
            value: text,
            text: { type: 'plain_text', text },
            confirm: { title: { type: 'plain_text', text }, text: { type: 'plain_text', text } },
          },
        ],
      },
      { type: text },
    ];
    expect(markupProblems(renderMessageBody({ text, blocks }, { userName: names }).value)).toEqual([]);
    expect(markupProblems(renderMessageBody({ text, blocks: [] }).value)).toEqual([]);
  });
});

describe('Block Kit', () => {
  it('lays out header, section with fields, context, divider and styled buttons with their confirm', () => {
    const out = renderMessageBody({
      text: 'fallback',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Proposed fix: deployment/web' } },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '*Change*' },
          fields: [
            { type: 'mrkdwn', text: '*a*' },
            { type: 'plain_text', text: 'b' },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'confidence 0.92 — high' }] },
        { type: 'divider' },
        {
          type: 'actions',
          block_id: 'autofix_proposal_actions',
          elements: [
            {
              type: 'button',
              action_id: 'autofix_approve',
              value: 'p1',
              style: 'primary',
              text: { type: 'plain_text', text: 'Approve' },
            },
            {
              type: 'button',
              action_id: 'autofix_rollback',
              value: 'p1',
              style: 'danger',
              text: { type: 'plain_text', text: 'Rollback' },
              confirm: {
                title: { type: 'plain_text', text: 'Roll back?' },
                text: { type: 'plain_text', text: 'Restores the template.' },
                confirm: { type: 'plain_text', text: 'Roll back' },
                deny: { type: 'plain_text', text: 'Cancel' },
              },
            },
          ],
        },
      ],
    }).value;
    expect(out).toContain('<div class="bk-header">Proposed fix: deployment/web</div>');
    expect(out).toContain('<div class="bk-field"><b>a</b></div>');
    expect(out).toContain(
      '<div class="bk-context"><span class="bk-context-el">confidence 0.92 — high</span></div>',
    );
    expect(out).toContain('<hr class="bk-divider">');
    expect(out).toContain(
      'class="bk-btn primary" data-action-id="autofix_approve" data-block-id="autofix_proposal_actions" data-value="p1" data-confirm=""',
    );
    expect(out).toContain(
      'data-confirm="{&quot;title&quot;:&quot;Roll back?&quot;,&quot;text&quot;:&quot;Restores the template.&quot;,&quot;confirm&quot;:&quot;Roll back&quot;,&quot;deny&quot;:&quot;Cancel&quot;}"',
    );
    expect(out).not.toContain('fallback');
  });

  it('shows the text when there are no blocks, and says which blocks it cannot show', () => {
    expect(renderMessageBody({ text: '*hi*', blocks: [] }).value).toBe(
      '<div class="bk-text"><b>hi</b></div>',
    );
    expect(renderMessageBody({ text: '', blocks: [{ type: 'input' }] }).value).toContain(
      '[input block not shown by the local Slack]',
    );
  });
});

describe('html', () => {
  it('escapes every interpolated value and passes built fragments through', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(markup`<b>${'<i>'}</b>${markup`<br>`}`.value).toBe('<b>&lt;i&gt;</b><br>');
  });
});
