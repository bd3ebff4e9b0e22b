// The target grammar of the CLI: pod/<name> and replicaset/<name> (resolved on the sandbox, see agent-breadth).
import { describe, it, expect } from 'vitest';
import { parseTarget, parseTargetRef } from '../../../src/domain/index.js';

describe('parseTargetRef', () => {
  it('accepts pod/ and replicaset/ (po, rs) besides workloads', () => {
    expect(parseTargetRef('po/web-5d8c9f7b6d-x7k2p', 'shop')).toEqual({
      kind: 'Pod',
      name: 'web-5d8c9f7b6d-x7k2p',
      namespace: 'shop',
    });
    expect(parseTargetRef('replicaset/web-5d8c9f7b6d', 'shop').kind).toBe('ReplicaSet');
    expect(parseTargetRef('ds/node-agent', 'shop').kind).toBe('DaemonSet');
    expect(() => parseTargetRef('cronjob/x', 'shop')).toThrow(/supported: .*pod, pods, po/);
  });

  it('keeps pod/ out of the workload-only grammar (Slack)', () => {
    expect(() => parseTarget('pod/web-1', 'shop')).toThrow(/Unsupported kind "pod"/);
  });
});
