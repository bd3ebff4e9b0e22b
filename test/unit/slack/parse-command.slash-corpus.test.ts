// The slash-command corpus: every text parses to the expected result, none throws, none names a namespace outside
// the allowlist of the cluster it goes to.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Target, TargetRef } from '../../../src/domain/index.js';
import { parseAutofixCommand, type CommandContext } from '../../../src/slack/parse-command.js';
import { clusters } from '../../fixtures/command-context.js';

interface SlashCase {
  text: string;
  expect: 'investigate' | 'triage' | 'resolve' | 'help' | 'clusters' | 'invalid' | 'refused' | 'any';
  target?: Target;
  /** The cluster it goes to, when not `default`. */
  cluster?: string;
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

/** `default` (the first) and `staging`; any other cluster has no worker. */
const allowed: Record<string, string[]> = { default: ['shop', 'payments'], staging: ['shop'] };
const ctx: CommandContext = {
  channelId: 'C0SHOP',
  channelNamespaces: { C0SHOP: 'shop' },
  chooseCluster: clusters(allowed),
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
    const said = parsed.kind === 'invalid' || parsed.kind === 'refused';
    figures[parsed.kind === 'help' ? 'help' : said ? 'refused' : 'accepted'] += 1;
    const namespace =
      parsed.kind === 'investigate'
        ? parsed.target.namespace
        : parsed.kind === 'resolve'
          ? parsed.ref.namespace
          : parsed.kind === 'triage'
            ? parsed.namespace
            : null;
    if (namespace !== null && 'cluster' in parsed) {
      const list = allowed[parsed.cluster] ?? [];
      if (!list.includes(namespace)) figures.wronglyAccepted += 1;
      expect(list).toContain(namespace);
    }
    if (c.expect === 'any') return;
    if ((c.expect === 'invalid' || c.expect === 'refused') && !said) figures.wronglyAccepted += 1;
    expect(parsed.kind).toBe(c.expect);
    if ('cluster' in parsed) expect(parsed.cluster).toBe(c.cluster ?? 'default');
    if (parsed.kind === 'refused' && c.match) expect(parsed.message).toMatch(new RegExp(c.match));
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
