// runs/log-batch limits: splitting exactly at the server's limits, key sanitizing, value truncation.
import { describe, expect, it } from 'vitest';
import {
  MLFLOW_LIMITS,
  sanitizeKey,
  splitLogBatch,
  truncateValue,
  type Metric,
  type Param,
  type Tag,
} from '../../../src/tracking/split-log-batch.js';

const metrics = (n: number): Metric[] =>
  Array.from({ length: n }, (_, i) => ({ key: `m${i}`, value: i, timestamp: 1, step: 0 }));
const params = (n: number): Param[] =>
  Array.from({ length: n }, (_, i) => ({ key: `p${i}`, value: `v${i}` }));
const tags = (n: number): Tag[] => Array.from({ length: n }, (_, i) => ({ key: `t${i}`, value: `v${i}` }));
const sizes = (batches: ReturnType<typeof splitLogBatch>): [number, number, number][] =>
  batches.map((b) => [b.metrics.length, b.params.length, b.tags.length]);

describe('splitLogBatch', () => {
  it.each([
    ['1000 metrics fit one request', { metrics: metrics(1000), params: [], tags: [] }, [[1000, 0, 0]]],
    [
      '1001 metrics need two',
      { metrics: metrics(1001), params: [], tags: [] },
      [
        [1000, 0, 0],
        [1, 0, 0],
      ],
    ],
    ['100 params fit one request', { metrics: [], params: params(100), tags: [] }, [[0, 100, 0]]],
    [
      '101 params need two',
      { metrics: [], params: params(101), tags: [] },
      [
        [0, 100, 0],
        [0, 1, 0],
      ],
    ],
    ['100 tags fit one request', { metrics: [], params: [], tags: tags(100) }, [[0, 0, 100]]],
    [
      '101 tags need two',
      { metrics: [], params: [], tags: tags(101) },
      [
        [0, 0, 100],
        [0, 0, 1],
      ],
    ],
    ['an empty batch sends nothing', { metrics: [], params: [], tags: [] }, []],
  ] as const)('%s', (_name, batch, expected) => {
    expect(
      sizes(splitLogBatch({ metrics: [...batch.metrics], params: [...batch.params], tags: [...batch.tags] })),
    ).toEqual(expected);
  });

  it('keeps metrics + params + tags of one request within 1000 entities', () => {
    const out = splitLogBatch({ metrics: metrics(1000), params: params(100), tags: tags(100) });
    expect(sizes(out)).toEqual([
      [800, 100, 100],
      [200, 0, 0],
    ]);
    for (const b of out)
      expect(b.metrics.length + b.params.length + b.tags.length).toBeLessThanOrEqual(
        MLFLOW_LIMITS.entitiesPerBatch,
      );
  });

  it('keeps every request body under 1 MB', () => {
    // 100 tags of 8000 three-byte characters: 2.4 MB, within the count limit but not the size limit.
    const big = Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: '€'.repeat(8000) }));
    const out = splitLogBatch({ metrics: [], params: [], tags: big });
    expect(out.length).toBe(3);
    for (const b of out) {
      const body = JSON.stringify({
        run_id: 'a'.repeat(32),
        metrics: b.metrics,
        params: b.params,
        tags: b.tags,
      });
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MLFLOW_LIMITS.bodyBytes);
    }
    expect(out.flatMap((b) => b.tags)).toHaveLength(100);
  });

  it('lets the last value of a repeated (or sanitised-equal) param key win, since MLflow refuses duplicates', () => {
    const out = splitLogBatch({
      metrics: [],
      params: [
        { key: 'a b', value: '1' },
        { key: 'a b', value: '2' },
        { key: 'x$', value: '3' },
        { key: 'x%', value: '4' },
      ],
      tags: [],
    });
    expect(out[0]!.params).toEqual([
      { key: 'a b', value: '2' },
      { key: 'x_', value: '4' },
    ]);
  });

  it('truncates param values to 6000 and tag values to 8000 characters', () => {
    const out = splitLogBatch({
      metrics: [],
      params: [{ key: 'p', value: 'x'.repeat(6001) }],
      tags: [{ key: 't', value: 'y'.repeat(8001) }],
    });
    expect(out[0]!.params[0]!.value).toHaveLength(6000);
    expect(out[0]!.params[0]!.value.endsWith('…[truncated]')).toBe(true);
    expect(out[0]!.tags[0]!.value).toHaveLength(8000);
    const exact = splitLogBatch({ metrics: [], params: [{ key: 'p', value: 'x'.repeat(6000) }], tags: [] });
    expect(exact[0]!.params[0]!.value).toBe('x'.repeat(6000));
  });

  it('sends metric steps as integers', () => {
    expect(
      splitLogBatch({ metrics: [{ key: 'm', value: 1, timestamp: 1, step: 2.7 }], params: [], tags: [] })[0]!
        .metrics[0]!.step,
    ).toBe(2);
  });
});

describe('sanitizeKey', () => {
  it.each([
    ['collect_seconds', 'collect_seconds'],
    ['autofix.target', 'autofix.target'],
    ['a/b c-d:e.f', 'a/b c-d:e.f'],
    ['prompt tokens (total)', 'prompt tokens _total_'],
    ['ümlaut→arrow', '_mlaut_arrow'],
    ['a//b', 'a/b'],
    ['/abs/key/', 'abs/key'],
    ['../up/./here', 'up/here'],
    ['', '_'],
    ['$$$', '___'],
    ['/', '_'],
  ])('%j → %j', (input, expected) => {
    expect(sanitizeKey(input)).toBe(expected);
    expect(sanitizeKey(input)).toMatch(/^[/\w.\- :]*$/);
  });

  it('keeps a 250-character key and cuts a 251-character one to 250', () => {
    expect(sanitizeKey('k'.repeat(250))).toHaveLength(250);
    expect(sanitizeKey('k'.repeat(251))).toBe('k'.repeat(250));
  });

  it('never ends a cut key with a slash', () => {
    const key = `${'a'.repeat(249)}/b`;
    expect(sanitizeKey(key)).toBe('a'.repeat(249));
  });
});

describe('truncateValue', () => {
  it('does not split a surrogate pair at the cut', () => {
    const s = 'a'.repeat(8) + '😀'.repeat(10);
    const out = truncateValue(s, 21);
    expect(out.length).toBeLessThanOrEqual(21);
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
