// The chart README's values table is the one generated from values.schema.json and values.yaml, and covers every value.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHART_DIR, valuesTable, withTable } from '../../../scripts/chart-values-table.js';

interface Node {
  properties?: Record<string, Node>;
}

/** Dotted paths of values.yaml down to where the schema stops declaring properties. */
function valuePaths(values: unknown, schema: Node, prefix: string[] = []): string[] {
  if (!schema.properties || !values || typeof values !== 'object' || Array.isArray(values))
    return [prefix.join('.')];
  return Object.entries(values as Record<string, unknown>).flatMap(([k, v]) =>
    schema.properties![k]
      ? valuePaths(v, schema.properties![k]!, [...prefix, k])
      : [`${[...prefix, k].join('.')} (not in the schema)`],
  );
}

describe('chart values table', () => {
  const readme = readFileSync(`${CHART_DIR}/README.md`, 'utf8');

  it('is in sync with values.schema.json and values.yaml (regenerate: npx tsx scripts/chart-values-table.ts --write)', () => {
    expect(readme).toBe(withTable(readme, valuesTable()));
  });

  it('lists every key of values.yaml, each described by the schema', () => {
    const schema = JSON.parse(readFileSync(`${CHART_DIR}/values.schema.json`, 'utf8')) as Node;
    const paths = valuePaths(parse(readFileSync(`${CHART_DIR}/values.yaml`, 'utf8')), schema);
    expect(paths.filter((p) => p.includes('not in the schema'))).toEqual([]);
    const table = valuesTable();
    expect(paths.filter((p) => !table.includes(`| \`${p}\` |`))).toEqual([]);
    // Every row has a description.
    expect(table.split('\n').filter((r) => r.endsWith('|  |'))).toEqual([]);
  });

  it('refuses a README without the markers', () => {
    expect(() => withTable('# no table here', valuesTable())).toThrow(/no <!-- values-table:start/);
  });
});
