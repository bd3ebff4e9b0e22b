// parseLlmOutput: the LLM's strict-schema JSON → a domain Diagnosis, with precise errors for re-asks.
import { describe, expect, it } from 'vitest';
import { parseLlmOutput } from '../../../../../src/agent/diagnose/llm/llm-output.js';
import { GOOD_FIX } from '../../../../fixtures/oom-killed-evidence.js';

const withPatch = (patch: unknown[]): string =>
  JSON.stringify({ ...GOOD_FIX, change: { summary: ['x'], patch } });

describe('parseLlmOutput', () => {
  it('decodes valueJson into patch values and drops it for remove', () => {
    const out = parseLlmOutput(
      withPatch([
        { op: 'add', path: '/spec/template/spec/containers/0/env/-', valueJson: '{"name":"A","value":"1"}' },
        { op: 'remove', path: '/spec/template/spec/nodeSelector', valueJson: null },
      ]),
    );
    expect(out).toMatchObject({ ok: true });
    expect(out.ok && out.diagnosis.change?.patch).toEqual([
      { op: 'add', path: '/spec/template/spec/containers/0/env/-', value: { name: 'A', value: '1' } },
      { op: 'remove', path: '/spec/template/spec/nodeSelector' },
    ]);
  });

  it('accepts no change with a human action', () => {
    const out = parseLlmOutput(
      JSON.stringify({
        ...GOOD_FIX,
        category: 'missing_config',
        change: null,
        humanAction: 'Create ConfigMap app-config.',
      }),
    );
    expect(out).toMatchObject({
      ok: true,
      diagnosis: { change: null, humanAction: 'Create ConfigMap app-config.', engine: 'llm' },
    });
  });

  it('tolerates a markdown fence around the JSON', () => {
    expect(parseLlmOutput('```json\n' + JSON.stringify(GOOD_FIX) + '\n```')).toMatchObject({ ok: true });
  });

  it.each([
    [null, 'the reply was empty'],
    ['{"category":', 'not valid JSON'],
    [JSON.stringify({ ...GOOD_FIX, category: 'bogus' }), 'category'],
    [JSON.stringify({ ...GOOD_FIX, confidence: 1.5 }), 'confidence'],
    [withPatch([{ op: 'replace', path: 'spec/replicas', valueJson: '3' }]), 'change.patch.0.path'],
    [
      withPatch([{ op: 'replace', path: '/spec/replicas', valueJson: null }]),
      'change.patch.0.valueJson: required for op add or replace',
    ],
    [withPatch([]), 'change.patch: Too small'],
    [withPatch([{ op: 'remove', path: '/spec/replicas', valueJson: '3' }]), 'change.patch.0.valueJson'],
    [withPatch([{ op: 'move', path: '/spec/replicas', valueJson: '3' }]), 'change.patch.0.op'],
    [
      JSON.stringify({ ...GOOD_FIX, change: { summary: [], patch: GOOD_FIX.change.patch } }),
      'change.summary',
    ],
  ])('reports %j precisely', (content, message) => {
    const out = parseLlmOutput(content);
    expect(out.ok).toBe(false);
    expect(!out.ok && out.error).toContain(message);
  });
});
