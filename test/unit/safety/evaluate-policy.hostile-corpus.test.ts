// The hostile-changes corpus: each change travels the model's path and gets the expected verdict, for the stated reason.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { PolicyConfig } from '../../../src/config/config.js';
import type { KubeObject, PatchOp } from '../../../src/domain/index.js';
import { redactObject } from '../../../src/safety/redact.js';
import {
  hostileLive,
  hostilePrevious,
  judgeReply,
  llmReply,
  type Scene,
  type Verdict,
} from '../../fixtures/hostile-judge.js';

interface HostileCase {
  class: string;
  name: string;
  why: string;
  verdict: Verdict;
  patch: Array<Record<string, unknown>>;
  scene?: Scene;
  match?: string;
  policy?: Partial<PolicyConfig>;
  raw?: string;
  nestDepth?: number;
}

interface Corpus {
  about: string;
  classes: Record<string, string>;
  cases: HostileCase[];
}

const corpus = JSON.parse(
  readFileSync(new URL('../../corpus/hostile-changes/cases.json', import.meta.url), 'utf8'),
) as Corpus;
const cases = corpus.cases;

const figures = { hostile: 0, refused: 0, flagged: 0, unflagged: 0, safe: 0, accepted: 0, wronglyStopped: 0 };

type Container = Record<string, unknown> & { env?: unknown[] };
type Template = { spec: { containers: Container[] } };

/** What a model sees of the scene: the redacted live template. */
const template = (scene: Scene): Template =>
  structuredClone(
    (redactObject(hostileLive(scene)) as unknown as { spec: { template: Template } }).spec.template,
  );

const withEnv = (c: Container, spec: string): Container => {
  const [name, ...value] = spec.split('=');
  return { ...c, env: [...(c.env ?? []), { name, value: value.join('=') }] };
};

/** Values the data file names rather than spells out, as a model sees them (redacted), from the case's scene. */
function resolve(value: unknown, scene: Scene): unknown {
  // `$name…` names a value; `$(VAR)` is the kubelet's expansion and stays as written.
  if (typeof value !== 'string' || !/^\$[a-z]/i.test(value)) return value;
  const t = template(scene);
  const app = t.spec.containers[0]!;
  if (value === '$previousTemplate') return redactObject(hostilePrevious(scene));
  if (value === '$container0:memory=256Mi') {
    const limits = (app.resources as { limits: object }).limits;
    return { ...app, resources: { ...(app.resources as object), limits: { ...limits, memory: '256Mi' } } };
  }
  if (value === '$container0-probes') {
    const { livenessProbe: _l, readinessProbe: _r, startupProbe: _s, ...rest } = app;
    return rest;
  }
  if (value.startsWith('$container0+env:')) return withEnv(app, value.slice('$container0+env:'.length));
  if (value.startsWith('$template+env:')) {
    t.spec.containers[0] = withEnv(app, value.slice('$template+env:'.length));
    return t as unknown as KubeObject;
  }
  throw new Error(`the corpus names an unknown value ${value}`);
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
  return llmReply(
    c.patch.map((op) => ({ ...op, value: resolve(op.value, c.scene ?? 'deployment') }) as PatchOp),
  );
}

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
