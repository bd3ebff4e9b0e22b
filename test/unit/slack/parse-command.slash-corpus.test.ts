// The slash-command corpus: every text parses to the expected result, none throws, none names a namespace outside the allowlist.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Target, TargetRef } from '../../../src/domain/index.js';
import { parseAutofixCommand, type CommandContext } from '../../../src/slack/parse-command.js';

interface SlashCase {
  text: string;
  expect: 'investigate' | 'triage' | 'resolve' | 'help' | 'invalid' | 'any';
  target?: Target;
  /** For `triage`: the namespace listed. */
  namespace?: string;
  /** For `resolve`: the pod or ReplicaSet the worker resolves. */
  ref?: TargetRef;
  match?: string;
  why?: string;
}

const cases = JSON.parse(
  readFileSync(new URL('../../corpus/slash-commands/cases.json', import.meta.url), 'utf8'),
) as SlashCase[];

const ctx: CommandContext = {
  channelId: 'C0SHOP',
  channelNamespaces: { C0SHOP: 'shop' },
  allowedNamespaces: ['shop', 'payments'],
};
const figures = { texts: 0, accepted: 0, help: 0, refused: 0, threw: 0, wronglyAccepted: 0 };

describe('slash-command corpus', () => {
  it('holds at least 300 texts with an exact expected result', () => {
    expect(cases.filter((c) => c.expect !== 'any').length).toBeGreaterThanOrEqual(300);
  });

  it.each(cases.map((c) => [c.expect, c.text, c] as const))('%s: %j', (_e, text, c) => {
    figures.texts += 1;
    let parsed;
    try {
      parsed = parseAutofixCommand(text, ctx);
    } catch (e) {
      figures.threw += 1;
      throw e;
    }
    figures[parsed.kind === 'help' ? 'help' : parsed.kind === 'invalid' ? 'refused' : 'accepted'] += 1;
    const namespace =
      parsed.kind === 'investigate'
        ? parsed.target.namespace
        : parsed.kind === 'resolve'
          ? parsed.ref.namespace
          : parsed.kind === 'triage'
            ? parsed.namespace
            : null;
    if (namespace !== null) {
      if (!ctx.allowedNamespaces.includes(namespace)) figures.wronglyAccepted += 1;
      expect(ctx.allowedNamespaces).toContain(namespace);
    }
    if (c.expect === 'any') return;
    if (c.expect === 'invalid' && parsed.kind !== 'invalid') figures.wronglyAccepted += 1;
    expect(parsed.kind).toBe(c.expect);
    if (parsed.kind === 'investigate') expect(parsed.target).toEqual(c.target);
    if (parsed.kind === 'triage') expect(parsed.namespace).toBe(c.namespace);
    if (parsed.kind === 'resolve') expect(parsed.ref).toEqual(c.ref);
    if (parsed.kind === 'invalid') {
      expect(parsed.message).toMatch(/Usage: `\/autofix <kind>\/<name>/);
      if (c.match) expect(parsed.message).toMatch(new RegExp(c.match));
    }
  });
});

afterAll(() => {
  console.log(
    `slash-command corpus: ${figures.texts} texts: ${figures.accepted} accepted, ${figures.help} help, ` +
      `${figures.refused} refused with a message, ${figures.threw} threw, ${figures.wronglyAccepted} wrongly accepted`,
  );
});
