import { describe, expect, it } from 'vitest';
import { runAnalyzers } from '../../../src/agent/analyzers/registry.js';
import { AutofixError } from '../../../src/domain/index.js';
import {
  BUNDLE_KIND,
  BUNDLE_VERSION,
  buildBundle,
  readBundle,
  type BundleFacts,
} from '../../../src/tracking/replay-bundle.js';
import { oomKilledEvidence } from '../../fixtures/oom-killed-evidence.js';
import { policyConfig } from '../../fixtures/policy-fixtures.js';

function facts(): BundleFacts {
  const evidence = oomKilledEvidence();
  return {
    iteration: 1,
    agentVersion: '0.1.0',
    engine: { name: 'rules', model: 'rules' },
    input: {
      evidence,
      findings: runAnalyzers(evidence),
      previousAttempts: [],
      history: [],
      policy: policyConfig(),
    },
    recorded: { diagnosis: null, usage: [], error: 'boom' },
    at: new Date('2025-01-01T10:06:00Z'),
  };
}

function refusal(text: string): string {
  try {
    readBundle(text, 'x.json');
  } catch (e) {
    expect(e).toBeInstanceOf(AutofixError);
    return (e as AutofixError).describe();
  }
  throw new Error('read, not refused');
}

describe('replay bundles', () => {
  it('keeps the engine input whole when it fits, and reads back equal', () => {
    const b = buildBundle(facts())!;
    expect(b).toMatchObject({ kind: BUNDLE_KIND, version: BUNDLE_VERSION, iteration: 1, trimmed: [] });
    expect(b.input).toEqual(facts().input);
    expect(readBundle(JSON.stringify(b), 'b.json')).toEqual(b);
  });

  it('trims logs, then events, to fit the bound and says what it cut; refuses to write what still does not fit', () => {
    const f = facts();
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i} ${'x'.repeat(200)}`);
    f.input.evidence.logs = [
      { pod: 'p', container: 'app', previous: false, lines, truncated: false, error: null },
    ];
    const whole = Buffer.byteLength(JSON.stringify(buildBundle(f)));
    const b = buildBundle(f, whole - 1000)!;
    expect(b.trimmed).toEqual(['logs: the last 20 lines of each']);
    expect(b.input.evidence.logs[0]!.lines).toEqual(lines.slice(-20));
    expect(Buffer.byteLength(JSON.stringify(b))).toBeLessThanOrEqual(whole - 1000);
    expect(buildBundle(f, 1000)).toBeNull();
  });

  it('refuses a newer schema version, saying to upgrade', () => {
    const b = { ...buildBundle(facts())!, version: BUNDLE_VERSION + 1 };
    expect(refusal(JSON.stringify(b))).toMatch(
      new RegExp(
        `schema version ${BUNDLE_VERSION + 1}, which this kube-autofix .*does not know yet.*Upgrade kube-autofix`,
      ),
    );
  });

  it('refuses a version it no longer reads, a missing version, another file and damaged content, each clearly', () => {
    const b = buildBundle(facts())!;
    expect(refusal(JSON.stringify({ ...b, version: 0 }))).toMatch(
      /schema version 0, .*no longer reads.*re-record/,
    );
    expect(refusal(JSON.stringify({ ...b, version: undefined }))).toMatch(/has no schema version/);
    expect(refusal(JSON.stringify({ evidence: b.input.evidence }))).toMatch(/is not a replay bundle/);
    expect(refusal('{')).toMatch(/is not JSON/);
    const damaged = { ...b, input: { ...b.input, policy: { level: 'open' } } };
    expect(refusal(JSON.stringify(damaged))).toMatch(/does not match schema version 1: input\.policy\.level/);
  });
});
