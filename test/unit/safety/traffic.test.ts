// Traffic: port changes that re-point a Service are flagged with the Service named; a Service losing the pods is refused.
import { describe, expect, it } from 'vitest';
import type { PatchOp } from '../../../src/domain/index.js';
import { traffic } from '../../../src/safety/traffic.js';
import {
  liveDeployment,
  patched,
  policyConfig,
  policyTarget,
  webServices,
} from '../../fixtures/policy-fixtures.js';

const C0 = '/spec/template/spec/containers/0';

function judge(ops: PatchOp[], services = webServices()) {
  const live = liveDeployment();
  return traffic({
    target: policyTarget,
    live,
    proposed: patched(ops, live),
    policy: policyConfig(),
    services,
  });
}

describe('traffic', () => {
  it('flags a renamed port a Service targets by name', () => {
    expect(judge([{ op: 'replace', path: `${C0}/ports/0/name`, value: 'web' }]).flags).toEqual([
      'Service web port 80 would reach nothing: no container declares a port named http instead of port 8080/TCP of container app (named http)',
    ]);
  });

  it('flags a named port moved to another number', () => {
    expect(judge([{ op: 'replace', path: `${C0}/ports/0/containerPort`, value: 9090 }]).flags).toEqual([
      'Service web port 80 would reach port 9090/TCP of container app (named http) instead of port 8080/TCP of container app (named http)',
    ]);
  });

  it('flags a numbered target port no container declares any more', () => {
    expect(
      judge([{ op: 'replace', path: '/spec/template/spec/containers/1/ports/0/containerPort', value: 9103 }])
        .flags,
    ).toEqual([
      'Service web-metrics port 9102 would reach port 9102 (which no container declares) instead of port 9102 of container metrics',
    ]);
  });

  it('flags any port change when no Service was collected', () => {
    expect(
      judge([{ op: 'add', path: `${C0}/ports/-`, value: { name: 'admin', containerPort: 9000 } }], [])
        .flags[0],
    ).toMatch(
      /container ports change to .*app:admin=9000\/TCP.*: a Service, probe or NetworkPolicy that names a port may reach another one/,
    );
  });

  it('refuses a label change that takes the pods out of a Service', () => {
    expect(
      judge([{ op: 'replace', path: '/spec/template/metadata/labels/tier', value: 'backend' }]).violations,
    ).toEqual([
      'Service web-metrics would no longer select these pods (its selector {"app":"web","tier":"frontend"}): its traffic goes to other pods or nowhere',
    ]);
  });

  it('passes changes that leave ports and labels alone', () => {
    expect(judge([{ op: 'replace', path: `${C0}/resources/limits/memory`, value: '128Mi' }])).toEqual({
      violations: [],
      flags: [],
    });
  });
});
