// compactEvidence: valid JSON within budget, noisy fields dropped, and what was trimmed is said.
import { describe, expect, it } from 'vitest';
import { compactEvidence } from '../../../../../src/agent/diagnose/llm/compact-evidence.js';
import type { Evidence } from '../../../../../src/domain/index.js';
import { oomKilledEvidence } from '../../../../fixtures/oom-killed-evidence.js';

function noisy(): Evidence {
  const e = oomKilledEvidence();
  const pod = e.pods[0]!;
  e.pods = Array.from({ length: 30 }, (_, i) => ({ ...pod, name: `web-${i}` }));
  e.logs = e.pods.map((p) => ({
    pod: p.name,
    container: 'app',
    previous: false,
    lines: Array.from({ length: 500 }, (_, i) => `line ${i} ${'x'.repeat(80)}`),
    truncated: false,
    error: null,
  }));
  e.events = Array.from({ length: 200 }, (_, i) => ({
    ...e.events[0]!,
    name: `web-${i}`,
    message: `${e.events[0]!.message} (${i})`,
    type: i % 2 ? 'Normal' : 'Warning',
  }));
  return e;
}

describe('compactEvidence', () => {
  it('keeps small evidence whole, minus status and last-applied-configuration', () => {
    const json = JSON.parse(compactEvidence(oomKilledEvidence())) as Record<string, unknown>;
    expect(json).toMatchObject({ target: { name: 'web' }, omitted: {} });
    expect(JSON.stringify(json.workload)).not.toContain('last-applied-configuration');
    expect(json.workload).not.toHaveProperty('status');
    expect(json).not.toHaveProperty('apiCalls');
  });

  it('trims large evidence to the budget, warnings and newest log lines first', () => {
    const text = compactEvidence(noisy(), 20_000);
    expect(text.length).toBeLessThanOrEqual(20_000);
    const json = JSON.parse(text) as {
      events: Array<{ type: string }>;
      logs: Array<{ lines: string[]; truncated: boolean }>;
      omitted: Record<string, number>;
    };
    expect(json.events.every((e) => e.type === 'Warning')).toBe(true);
    expect(json.logs[0]?.lines.at(-1)).toContain('line 499');
    expect(json.logs[0]?.truncated).toBe(true);
    expect(json.omitted.pods).toBeGreaterThan(0);
  });

  it('merges the same event reported by several pods into one, counting the objects', () => {
    const e = oomKilledEvidence();
    e.events = Array.from({ length: 3 }, (_, i) => ({ ...e.events[0]!, name: `web-${i}`, count: 2 }));
    const json = JSON.parse(compactEvidence(e)) as {
      events: Array<{ count: number; objects?: number }>;
      omitted: object;
    };
    expect(json.events).toHaveLength(1);
    expect(json.events[0]).toMatchObject({ count: 6, objects: 3 });
    expect(json.omitted).toEqual({});
  });

  it('cuts hard, and says so, when even the smallest form does not fit', () => {
    const text = compactEvidence(noisy(), 500);
    expect(text.length).toBeLessThanOrEqual(500);
    expect(text).toMatch(/evidence cut to fit the prompt budget\]$/);
  });
});
