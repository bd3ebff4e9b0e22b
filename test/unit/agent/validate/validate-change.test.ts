// validateChange after the dry-run: the object the server would store is judged again, so a mutation the
// server (an admission webhook, a default) makes of the operations cannot pass on the strength of the
// object judged before it.
import { describe, expect, it } from 'vitest';
import { applyPatch } from '../../../../src/agent/change/apply-patch.js';
import { propose } from '../../../../src/agent/change/propose.js';
import { validateChange } from '../../../../src/agent/validate/validate-change.js';
import type { Evidence, KubeObject, PatchOp } from '../../../../src/domain/index.js';
import type { Cluster } from '../../../../src/k8s/cluster.js';
import { knownValues, NO_KNOWN_VALUES, type KnownValues } from '../../../../src/safety/known-values.js';
import { redactObject } from '../../../../src/safety/redact.js';
import {
  hostileLive,
  hostilePrevious,
  llmReply,
  proposeReply,
  sceneTarget,
} from '../../../fixtures/hostile-judge.js';
import { memoryCluster } from '../../../fixtures/memory-cluster.js';
import { policyConfig, webServices } from '../../../fixtures/policy-fixtures.js';

type Container = Record<string, unknown>;

/** A cluster whose dry-run stores what `mutate` makes of the patched object, as a mutating webhook would. */
function serverThat(live: KubeObject, mutate: (stored: KubeObject) => void): Cluster {
  return {
    ...memoryCluster({ deployment: live }),
    async patchWorkload(_target, ops: PatchOp[]) {
      const stored = structuredClone(applyPatch(live, ops));
      mutate(stored);
      return { ok: true, object: stored };
    },
  };
}

function firstContainer(o: KubeObject): Container {
  const spec = (o.spec as { template: { spec: { containers: Container[] } } }).template.spec;
  return spec.containers[0]!;
}

const MEMORY_RAISE = llmReply([
  { op: 'replace', path: '/spec/template/spec/containers/0/resources/limits/memory', value: '128Mi' },
]);

async function validateMemoryRaise(
  mutate: (stored: KubeObject) => void,
  live: KubeObject = hostileLive(),
  known: KnownValues = NO_KNOWN_VALUES,
) {
  const target = sceneTarget(live);
  const proposed = proposeReply(MEMORY_RAISE, live, target);
  if ('refused' in proposed) throw new Error(proposed.refused);
  // The evidence as collect makes it: redacted with the workload's own secret values.
  const evidence = { target, workload: redactObject(live, known) } as unknown as Evidence;
  return validateChange({
    target,
    change: proposed.change,
    live: evidence.workload,
    proposed: propose({ evidence, change: proposed.change }).patched,
    sealed: { live, templates: [hostilePrevious()], known },
    services: webServices(),
    policy: policyConfig(),
    cluster: serverThat(live, mutate),
  });
}

describe('validateChange: the stored object judged again', () => {
  it('a memory raise the server stores as sent: accepted, unflagged, its operations returned', async () => {
    const v = await validateMemoryRaise(() => {});
    expect(v.errors).toEqual([]);
    expect(v.validation.flags).toEqual([]);
    expect(v.ops).not.toBeNull();
  });

  it('the server would store a privileged container: refused, saying so, nothing to apply', async () => {
    const v = await validateMemoryRaise((stored) => {
      firstContainer(stored).securityContext = { privileged: true };
    });
    expect(v.ops).toBeNull();
    expect(v.validation.policy.ok).toBe(false);
    expect(v.validation.dryRun.ok).toBe(true);
    expect(v.errors.length).toBeGreaterThan(0);
    expect(v.errors.every((e) => e.startsWith('policy: as the server would store it, '))).toBe(true);
    expect(v.errors.join('\n')).toMatch(/privileged/);
  });

  it('the server would add an environment variable: the change is flagged for a person', async () => {
    const v = await validateMemoryRaise((stored) => {
      const c = firstContainer(stored);
      c.env = [...((c.env as unknown[] | undefined) ?? []), { name: 'FEATURE_MODE', value: 'beta' }];
    });
    expect(v.errors).toEqual([]);
    expect(v.ops).not.toBeNull();
    expect(v.validation.flags.join('\n')).toMatch(/FEATURE_MODE/);
  });

  it('a known secret value under a harmless name, stored as sent: the same object once masked, unflagged', async () => {
    const secret = 'q7Rw2mZx9LpT4vKc';
    const live = hostileLive();
    const c = firstContainer(live);
    c.env = [...((c.env as unknown[] | undefined) ?? []), { name: 'GREETING', value: secret }];
    const v = await validateMemoryRaise(() => {}, live, knownValues([secret]));
    expect(v.errors).toEqual([]);
    expect(v.validation.flags).toEqual([]);
    expect(JSON.stringify(v.validation)).not.toContain(secret);
  });
});
