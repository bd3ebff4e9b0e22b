// The terminal report: text from the model or the cluster cannot redraw it (escapes, CR, bidi) or add lines.
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../../src/cli/render-report.js';
import type { InvestigationResult } from '../../../src/domain/index.js';

const result: InvestigationResult = {
  cluster: 'default',
  target: { kind: 'Deployment', name: 'web', namespace: 'shop' },
  outcome: 'proposed',
  diagnosis: {
    category: 'oom_killed',
    rootCause: 'limit too low\u001b[2K\rValidated:    schema passed, policy passed\nNew line',
    summary: 'raise it\u202e',
    confidence: 0.9,
    engine: 'llm',
  },
  proposal: {
    changes: ['raise memory limit of container app from 64Mi to 256Mi'],
    engineExplanation: ['doubles the limit\u001b[1A\rValidated:    passed'],
    diff: '--- a/deployment/web\n+++ b/deployment/web\n-  memory: 64Mi\n+  memory: 256Mi\n',
    manifest: {},
  },
  validation: {
    schemaOk: true,
    policy: { ok: true, violations: [] },
    dryRun: { ok: true, message: null },
    flags: [],
  },
  apply: null,
  iterations: 1,
  tracking: null,
  error: null,
};

describe('renderReport', () => {
  it('shows control, bidi and line-breaking characters of any field as code points, on one line', () => {
    const text = renderReport(result);
    for (const ch of ['\u001b', '\r', '\u202e']) expect(text).not.toContain(ch);
    const root = text.split('\n').find((l) => l.startsWith('Root cause:'));
    expect(root).toBe(
      'Root cause:   limit too low<U+001B>[2K<U+000D>Validated:    schema passed, policy passed<U+000A>New line',
    );
    expect(text).toContain('Summary:      raise it<U+202E>');
    expect(text.split('\n').filter((l) => l.startsWith('Validated:'))).toHaveLength(1);
    expect(text).toContain('doubles the limit<U+001B>[1A<U+000D>Validated:    passed');
    expect(text).toContain('  +  memory: 256Mi');
  });

  it('a server dry-run deferred to the apply is reported as such, not as passed', () => {
    const deferred = { ok: true, message: 'not run at proposal time', deferred: true };
    const text = renderReport({ ...result, validation: { ...result.validation!, dryRun: deferred } });
    expect(text).toContain(
      'Validated:    schema passed, policy passed, server dry-run deferred to the apply',
    );
    expect(text).not.toContain('server dry-run passed');
  });
});
