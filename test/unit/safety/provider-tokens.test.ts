// Provider token shapes: secretlint's recommended rules run here exactly as @secretlint/core runs them, plus ours.
import { readFileSync } from 'node:fs';
import { lintSource } from '@secretlint/core';
import { creator as preset } from '@secretlint/secretlint-rule-preset-recommend';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LIBRARY_RULES, libraryTokenRanges, ownTokenRanges } from '../../../src/safety/provider-tokens.js';

const corpus = (
  parse(readFileSync(new URL('../../corpus/secrets/log-lines.yaml', import.meta.url), 'utf8')) as {
    cases: Array<{ text: string }>;
  }
).cases.map((c) => c.text);

describe('libraryTokenRanges', () => {
  it('reports what @secretlint/core reports for the rules it runs, on every corpus line', async () => {
    let reported = 0;
    for (const text of corpus) {
      const result = await lintSource({
        source: { content: text, filePath: 'log.txt', ext: '.txt', contentType: 'text' },
        options: { config: { rules: [{ id: preset.meta.id, rule: preset }] } },
      });
      const expected = result.messages
        .filter((m) => LIBRARY_RULES.includes(m.ruleId))
        .map((m) => m.range.join('-'))
        .sort();
      reported += expected.length;
      expect(
        libraryTokenRanges(text)
          .map((r) => r.join('-'))
          .sort(),
      ).toEqual(expected);
    }
    // The comparison means something only if the library found tokens in the corpus.
    expect(reported).toBeGreaterThan(10);
  });

  it('does not run the comment filter, which would let a log line switch detection off', () => {
    expect(LIBRARY_RULES).not.toContain('@secretlint/secretlint-rule-filter-comments');
    const token = `ghp_${'A1b2C3d4E5'.repeat(3)}abcdef`;
    expect(libraryTokenRanges(`// secretlint-disable\n${token}`)).toHaveLength(1);
  });
});

describe('ownTokenRanges', () => {
  it.each([
    ['JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'],
    ['Google API key', 'AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY'],
    ['Telegram bot token', '7123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw'],
    ['bcrypt hash', '$2y$05$5dR8X2mNqPz1rTfZK7bY0eQm3Wc9Vn4Lh6Ju8Ks2Df0Ga1Sb3Te5Uy'],
    ['htpasswd SHA', '{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g='],
  ])('finds a %s the library has no rule for', (_n, token) => {
    const text = `failed with ${token} here`;
    expect(libraryTokenRanges(text)).toEqual([]);
    expect(ownTokenRanges(text).some(([s, e]) => text.slice(s, e).includes(token.slice(4, 20)))).toBe(true);
  });

  it('keeps a webhook URL readable up to the secret part', () => {
    const text = 'POST https://hooks.slack.com/services/T0/B0/abcDEF123 failed';
    const [[s, e]] = ownTokenRanges(text) as [[number, number]];
    expect(text.slice(0, s)).toBe('POST https://hooks.slack.com/services/');
    expect(text.slice(e)).toBe(' failed');
  });
});
