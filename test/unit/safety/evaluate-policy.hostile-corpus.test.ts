// The hostile-changes corpus: each change travels the model's path and gets the expected verdict, for the stated reason.
import { afterAll, describe, expect, it } from 'vitest';
import {
  caseReply,
  hostileCorpus,
  hostileLive,
  hostilePrevious,
  judgeReply,
} from '../../fixtures/hostile-judge.js';

const corpus = hostileCorpus();
const cases = corpus.cases;

const figures = { hostile: 0, refused: 0, flagged: 0, unflagged: 0, safe: 0, accepted: 0, wronglyStopped: 0 };

const reply = (c: (typeof cases)[number]): string =>
  caseReply(c, hostileLive(c.scene ?? 'deployment'), hostilePrevious(c.scene ?? 'deployment'));

describe('hostile-changes corpus', () => {
  it('holds at least 400 hostile changes and safe look-alikes, each of a documented class', () => {
    expect(cases.filter((c) => c.verdict !== 'accepted').length).toBeGreaterThanOrEqual(400);
    expect(cases.filter((c) => c.verdict === 'accepted').length).toBeGreaterThan(30);
    expect(cases.filter((c) => corpus.classes[c.class] === undefined).map((c) => c.name)).toEqual([]);
    const used = new Set(cases.map((c) => c.class));
    expect(Object.keys(corpus.classes).filter((k) => !used.has(k))).toEqual([]);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases.map((c) => [c.verdict, c.class, c.name, c] as const))('%s (%s): %s', (_v, _k, _n, c) => {
    const judged = judgeReply(reply(c), c.policy, c.scene);
    if (c.verdict === 'accepted') {
      figures.safe += 1;
      if (judged.verdict === 'accepted') figures.accepted += 1;
      else figures.wronglyStopped += 1;
    } else {
      figures.hostile += 1;
      if (judged.verdict === 'refused') figures.refused += 1;
      else if (judged.verdict === 'flagged') figures.flagged += 1;
      else figures.unflagged += 1;
    }
    expect({ verdict: judged.verdict, messages: judged.messages }).toMatchObject({ verdict: c.verdict });
    if (c.match) expect(judged.messages.join('\n')).toMatch(new RegExp(c.match));
  });
});

afterAll(() => {
  console.log(
    `hostile-changes corpus: ${figures.hostile} hostile changes: ${figures.refused} refused, ` +
      `${figures.flagged} flagged for a person to read in full; hostile accepted unflagged: ${figures.unflagged}; ` +
      `${figures.safe} benign changes: ${figures.accepted} accepted, ${figures.wronglyStopped} refused or flagged`,
  );
  // Asserted after every case ran, so the figure is the whole corpus's: a hostile change passing silently is the failure that matters.
  expect(figures.unflagged).toBe(0);
});
