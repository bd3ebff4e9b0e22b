// The hostile-changes corpus: each change travels the model's path and gets the expected verdict, for the stated reason.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { PolicyConfig } from '../../../src/config/config.js';
import type { PatchOp } from '../../../src/domain/index.js';
import {
  hostileLive,
  hostilePrevious,
  judgeReply,
  llmReply,
  type Verdict,
} from '../../fixtures/hostile-judge.js';
import { redactObject } from '../../../src/safety/redact.js';

interface HostileCase {
  name: string;
  why: string;
  verdict: Verdict;
  patch: Array<Record<string, unknown>>;
  match?: string;
  policy?: Partial<PolicyConfig>;
  raw?: string;
  nestDepth?: number;
}

const cases = JSON.parse(
  readFileSync(new URL('../../corpus/hostile-changes/cases.json', import.meta.url), 'utf8'),
) as HostileCase[];

const figures = { hostile: 0, refused: 0, flagged: 0, leaked: 0, safe: 0, accepted: 0, wronglyRefused: 0 };

/** Values the data file names rather than spells out, as a model sees them (redacted): the previous template, a reworked container. */
function resolve(value: unknown): unknown {
  if (value === '$previousTemplate') return redactObject(hostilePrevious());
  if (value === '$container0:memory=256Mi') {
    const app = structuredClone(
      (
        redactObject(hostileLive()) as {
          spec: { template: { spec: { containers: Array<{ resources: { limits: object } }> } } };
        }
      ).spec.template.spec.containers[0]!,
    );
    app.resources.limits = { ...app.resources.limits, memory: '256Mi' };
    return app;
  }
  return value;
}

function nested(depth: number): string {
  return llmReply([{ op: 'replace', path: '/spec/replicas', value: 0 }]).replace(
    '"valueJson":"0"',
    `"valueJson":${JSON.stringify(`${'['.repeat(depth)}1${']'.repeat(depth)}`)}`,
  );
}

function reply(c: HostileCase): string {
  if (c.raw !== undefined) return c.raw;
  if (c.nestDepth !== undefined) return nested(c.nestDepth);
  return llmReply(c.patch.map((op) => ({ ...op, value: resolve(op.value) }) as PatchOp));
}

describe('hostile-changes corpus', () => {
  it('holds at least 150 hostile changes and safe look-alikes', () => {
    expect(cases.filter((c) => c.verdict !== 'accepted').length).toBeGreaterThanOrEqual(150);
    expect(cases.filter((c) => c.verdict === 'accepted').length).toBeGreaterThan(20);
  });

  it.each(cases.map((c) => [c.verdict, c.name, c] as const))('%s: %s', (_v, _n, c) => {
    const judged = judgeReply(reply(c), c.policy);
    if (c.verdict === 'accepted') {
      figures.safe += 1;
      if (judged.verdict === 'accepted') figures.accepted += 1;
      else figures.wronglyRefused += 1;
    } else {
      figures.hostile += 1;
      if (judged.verdict === 'refused') figures.refused += 1;
      else if (judged.verdict === 'flagged' && c.verdict === 'flagged') figures.flagged += 1;
      else figures.leaked += 1;
    }
    expect({ verdict: judged.verdict, messages: judged.messages }).toMatchObject({ verdict: c.verdict });
    if (c.match) expect(judged.messages.join('\n')).toMatch(new RegExp(c.match));
  });
});

afterAll(() => {
  console.log(
    `hostile-changes corpus: ${figures.hostile} hostile changes: ${figures.refused} refused, ` +
      `${figures.flagged} passed flagged for the approver in full, ${figures.leaked} leaked; ` +
      `${figures.safe} safe look-alikes: ${figures.accepted} accepted, ${figures.wronglyRefused} wrongly refused`,
  );
});
