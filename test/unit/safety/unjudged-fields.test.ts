// Default deny inside the scope lock: a change to a field no rule judges is flagged with its values, never accepted silently.
import { describe, expect, it } from 'vitest';
import type { KubeObject, PatchOp } from '../../../src/domain/index.js';
import { POLICY_RULES } from '../../../src/safety/evaluate-policy.js';
import { SCOPE_LOCK_ALLOWLIST } from '../../../src/safety/scope-lock.js';
import { JUDGED_FIELDS, judged, unjudgedFields } from '../../../src/safety/unjudged-fields.js';
import { liveDeployment, patched, policyConfig, policyTarget } from '../../fixtures/policy-fixtures.js';

const C0 = '/spec/template/spec/containers/0';

function judge(ops: PatchOp[], previous: KubeObject[] = []) {
  const live = liveDeployment();
  return unjudgedFields({
    target: policyTarget,
    live,
    proposed: patched(ops, live),
    policy: policyConfig(),
    previousTemplates: previous,
  });
}

describe('unjudged fields', () => {
  it('flags a field no rule judges, with its values before and after, by container', () => {
    expect(
      judge([
        { op: 'replace', path: `${C0}/livenessProbe/httpGet/scheme`, value: 'HTTPS' },
        { op: 'add', path: `${C0}/ports/0/hostIP`, value: '0.0.0.0' },
      ]),
    ).toEqual({
      violations: [],
      flags: [
        'container app: livenessProbe.httpGet.scheme "HTTP" → "HTTPS", ports[0].hostIP unset → "0.0.0.0": no rule judges what these fields do; read them before applying',
      ],
    });
  });

  it('flags a field no Kubernetes version has, under a probe and under affinity', () => {
    const r = judge([
      { op: 'add', path: `${C0}/readinessProbe/bypass`, value: true },
      { op: 'add', path: '/spec/template/spec/affinity', value: { futureAffinity: { any: 1 } } },
    ]);
    expect(r.flags).toEqual([
      'pods: affinity.futureAffinity.any unset → 1: no rule judges what this field does; read it before applying',
      'container app: readinessProbe.bypass unset → true: no rule judges what this field does; read it before applying',
    ]);
  });

  it('passes judged fields, defaults spelled out, a probe removed whole (guards flag it) and an earlier revision', () => {
    expect(
      judge([
        { op: 'replace', path: `${C0}/resources/limits/memory`, value: '128Mi' },
        { op: 'replace', path: `${C0}/readinessProbe/httpGet/path`, value: '/healthz' },
        {
          op: 'add',
          path: `${C0}/startupProbe`,
          value: { httpGet: { path: '/', port: 8080, scheme: 'HTTP' }, successThreshold: 1 },
        },
        { op: 'remove', path: `${C0}/livenessProbe` },
        {
          op: 'add',
          path: '/spec/template/metadata/annotations',
          value: { 'kubectl.kubernetes.io/restartedAt': 'now' },
        },
      ]).flags,
    ).toEqual([]);
    const older = patched([{ op: 'add', path: `${C0}/ports/0/hostIP`, value: '0.0.0.0' }]);
    const template = (older as { spec: { template: KubeObject } }).spec.template;
    expect(judge([{ op: 'replace', path: '/spec/template', value: template }], [template]).flags).toEqual([]);
  });

  it('leaves paths outside the allow-list to the scope lock', () => {
    expect(judge([{ op: 'add', path: `${C0}/workingDir`, value: '/tmp' }]).flags).toEqual([]);
  });

  it('names a rule of the policy for every judged field, and judges a field under every allow-listed path', () => {
    const rules = new Set(POLICY_RULES.map(([name]) => name));
    expect(JUDGED_FIELDS.filter((f) => !rules.has(f.by)).map((f) => f.path.join('.'))).toEqual([]);
    const concrete = (p: readonly string[]) => p.map((s) => (s === '*' ? 0 : s));
    const orphan = SCOPE_LOCK_ALLOWLIST.filter(
      (p) => !judged(concrete(p)) && !JUDGED_FIELDS.some((f) => p.every((s, i) => f.path[i] === s)),
    );
    expect(orphan.map((p) => p.join('.'))).toEqual([]);
  });
});
