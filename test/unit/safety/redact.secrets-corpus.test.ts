// The secrets corpus: every secret shape is masked wherever it appears, and look-alikes stay readable
// (at most 2% masked). Prints the figures: shapes, leaked, look-alikes, masked, rate.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REDACTED, redactObject, redactText } from '../../../src/safety/redact.js';
import { liveDeployment } from '../../fixtures/policy-fixtures.js';

interface TextCase {
  name: string;
  text: string;
  secret: string;
}
interface ObjectCase {
  name: string;
  where: string;
  key?: string;
  value?: string;
  args?: string[];
  secret: string | null;
}

const load = <T>(file: string): T[] =>
  JSON.parse(readFileSync(new URL(`../../corpus/secrets/${file}`, import.meta.url), 'utf8')) as T[];

/** The YAML corpora: `cases` with a `class` each, the classes described at the top of the file. */
const loadYaml = <T>(file: string): T[] =>
  (
    parse(readFileSync(new URL(`../../corpus/secrets/${file}`, import.meta.url), 'utf8')) as {
      cases: T[];
    }
  ).cases;

const texts = [
  ...load<TextCase>('log-text.json'),
  ...loadYaml<TextCase & { class: string }>('log-lines.yaml').map((c) => ({
    ...c,
    name: `${c.class}: ${c.name}`,
  })),
];
const lookAlikes = [
  ...load<{ name: string; text: string }>('look-alikes.json'),
  ...loadYaml<{ class: string; name: string; text: string }>('look-alike-lines.yaml').map((c) => ({
    ...c,
    name: `${c.class}: ${c.name}`,
  })),
];
const wronglyMasked: string[] = [];

/** A leak is the secret, or for a long one any 16 characters of it, surviving redaction. */
function leaks(out: string, secret: string): boolean {
  if (out.includes(secret)) return true;
  if (secret.length < 24) return false;
  for (let i = 0; i + 16 <= secret.length; i++) if (out.includes(secret.slice(i, i + 16))) return true;
  return false;
}
const objects = load<ObjectCase>('object-fields.json');
const objectLookAlikes = load<ObjectCase>('object-look-alikes.json');
const figures = { shapes: 0, leaked: 0, lookAlikes: 0, overMasked: 0 };

/** The object the case's value sits in, as the collector would read it. */
function holder(c: ObjectCase): unknown {
  const d = liveDeployment() as {
    metadata: { annotations: Record<string, string>; labels: Record<string, string> };
    spec: {
      template: {
        metadata: { annotations?: Record<string, string> };
        spec: { containers: Array<Record<string, unknown>> };
      };
    };
  };
  const app = d.spec.template.spec.containers[0]!;
  const key = c.key ?? '';
  const value = c.value ?? '';
  if (c.where === 'env') app.env = [{ name: key, value }];
  else if (c.where === 'args' || c.where === 'command') app[c.where] = c.args;
  else if (c.where === 'annotation') d.metadata.annotations[key] = value;
  else if (c.where === 'template-annotation') d.spec.template.metadata.annotations = { [key]: value };
  else if (c.where === 'label') d.metadata.labels[key] = value;
  else if (c.where === 'configmap')
    return { kind: 'ConfigMap', metadata: { name: 'cm' }, data: { [key]: value } };
  else if (c.where === 'secret-object')
    return { kind: 'Secret', metadata: { name: 's' }, data: { [key]: value } };
  return d;
}

describe('secrets corpus: text', () => {
  it.each(texts.map((c) => [c.name, c] as const))('masks %s', (_n, c) => {
    figures.shapes += 1;
    const out = redactText(c.text);
    if (leaks(out, c.secret)) figures.leaked += 1;
    expect(leaks(out, c.secret), out).toBe(false);
    expect(out).toContain(REDACTED);
    expect(redactText(out)).toBe(out);
  });

  it.each(lookAlikes.map((c) => [c.name, c] as const))('reads %s', (_n, c) => {
    figures.lookAlikes += 1;
    const out = redactText(c.text);
    if (out !== c.text) {
      figures.overMasked += 1;
      wronglyMasked.push(`${c.name}: ${out}`);
    }
    // A masked look-alike is counted, not failed here: the rate below is the bar.
    expect(typeof out).toBe('string');
  });

  it('masks at most 2% of the look-alikes', () => {
    expect(wronglyMasked.length / lookAlikes.length, wronglyMasked.join('\n')).toBeLessThanOrEqual(0.02);
  });
});

describe('secrets corpus: objects', () => {
  it.each(objects.map((c) => [c.name, c] as const))('masks %s', (_n, c) => {
    figures.shapes += 1;
    const out = JSON.stringify(redactObject(holder(c)));
    if (out.includes(c.secret!)) figures.leaked += 1;
    expect(out).not.toContain(c.secret);
  });

  it.each(objectLookAlikes.map((c) => [c.name, c] as const))('keeps %s', (_n, c) => {
    figures.lookAlikes += 1;
    const app = (
      redactObject(holder(c)) as { spec: { template: { spec: { containers: Array<{ env: unknown }> } } } }
    ).spec.template.spec.containers[0]!;
    const kept = JSON.stringify(app.env) === JSON.stringify([{ name: c.key, value: c.value }]);
    if (!kept) figures.overMasked += 1;
    expect(app.env).toEqual([{ name: c.key, value: c.value }]);
  });
});

afterAll(() => {
  console.log(
    `secrets corpus: ${figures.shapes} secret shapes, ${figures.leaked} leaked; ${figures.lookAlikes} look-alikes, ${figures.overMasked} wrongly masked (${((100 * figures.overMasked) / Math.max(1, figures.lookAlikes)).toFixed(1)}%)`,
  );
});
