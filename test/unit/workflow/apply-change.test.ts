// The apply judges the approved change again right before it is sent: what the server would store now
// (an admission webhook added since the proposal, a dry-run deferred to the approver) must be what was shown.
import { describe, expect, it } from 'vitest';
import { createRulesEngine } from '../../../src/agent/diagnose/rules/rules-engine.js';
import { investigate } from '../../../src/agent/investigate.js';
import { loadConfig } from '../../../src/config/config.js';
import { isAutofixError, type KubeObject, type Proposal, type Target } from '../../../src/domain/index.js';
import { NoopTracker } from '../../../src/tracking/no-op-tracker.js';
import { applyProposal } from '../../../src/workflow/apply-change.js';
import { memoryCluster, type MemoryCluster } from '../../fixtures/memory-cluster.js';
import { scenarios } from '../../fixtures/index.js';

const target: Target = { kind: 'Deployment', name: 'api', namespace: 'shop' };
const config = loadConfig({ AUTOFIX_NAMESPACES: 'shop' });

// Prose to every shape rule: only the workload's own Secret tells it is one.
const VALUE = 'correct-horse-battery-staple';

/** The OOM-killed api, reading its password from Secret `db`. */
function withSecret() {
  const e = scenarios.oomKilled();
  const d = structuredClone(e.deployment);
  const spec = (d.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template
    .spec;
  spec.containers[0]!.env = [
    { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
  ];
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'shop' },
    data: { password: Buffer.from(VALUE).toString('base64') },
  };
  return { ...e, deployment: d, secrets: [secret] };
}

async function proposed(): Promise<{ cluster: MemoryCluster; proposal: Proposal }> {
  const cluster = memoryCluster(withSecret());
  const inv = await investigate(target, {
    cluster,
    engine: createRulesEngine(),
    tracker: new NoopTracker(),
    config,
  });
  expect(inv.outcome).toBe('proposed');
  return { cluster, proposal: inv.proposal! };
}

const apply = (cluster: MemoryCluster, proposal: Proposal) =>
  applyProposal(target, proposal, {
    cluster,
    rolloutTimeoutSeconds: 10,
    pollMs: 1,
    settleSeconds: 0,
    policy: config.policy,
  });

/** A webhook that changes every stored pod template the way `edit` says. */
function webhook(edit: (spec: Record<string, unknown>) => void): (o: KubeObject) => KubeObject {
  return (o) => {
    const next = structuredClone(o);
    const template = (next.spec as { template: { spec: Record<string, unknown> } }).template;
    edit(template.spec);
    return next;
  };
}

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!isAutofixError(e)) throw new Error(`expected a refusal, got ${String(e)}`);
  return { code: e.code, message: e.describe() };
}

describe('applyProposal judges the change again before sending it', () => {
  it('applies once when the server would store what was judged', async () => {
    const { cluster, proposal } = await proposed();
    const out = await apply(cluster, proposal);
    expect(out.applied).toBe(true);
    expect(cluster.patches).toHaveLength(1);
  });

  it('a webhook added since the proposal that makes the container privileged: refused, nothing sent', async () => {
    const { cluster, proposal } = await proposed();
    cluster.admission = webhook((spec) => {
      const [c] = spec.containers as Array<Record<string, unknown>>;
      c!.securityContext = { privileged: true };
    });
    const r = await refusal(apply(cluster, proposal));
    expect(r.code).toBe('PATCH_REJECTED');
    expect(r.message).toMatch(/not applied: the server would store it in a form the policy refuses/);
    expect(r.message).toMatch(/privileged/);
    expect(r.message).toMatch(/Nothing was changed/);
    expect(cluster.patches).toHaveLength(0);
  });

  it('a webhook that adds a behaviour change nobody was shown: refused with what it is', async () => {
    const { cluster, proposal } = await proposed();
    cluster.admission = webhook((spec) => {
      const [c] = spec.containers as Array<Record<string, unknown>>;
      c!.env = [...((c!.env as unknown[]) ?? []), { name: 'LD_PRELOAD', value: '/tmp/x.so' }];
    });
    const r = await refusal(apply(cluster, proposal));
    expect(r.code).toBe('PATCH_REJECTED');
    expect(r.message).toMatch(/LD_PRELOAD/);
    expect(cluster.patches).toHaveLength(0);
  });

  it('a flag that differs at apply is no refusal (flag texts carry live counts): only what the policy refuses is', async () => {
    const { cluster, proposal } = await proposed();
    cluster.admission = webhook((spec) => {
      const [c] = spec.containers as Array<Record<string, unknown>>;
      c!.env = [...((c!.env as unknown[]) ?? []), { name: 'FEATURE_CACHE', value: 'on' }];
    });
    const out = await apply(cluster, proposal);
    expect(out.applied).toBe(true);
    expect(cluster.patches).toHaveLength(1);
  });

  it('the server refusing the dry-run now: a coded error by its status, nothing sent', async () => {
    const { cluster, proposal } = await proposed();
    const refuseDry: MemoryCluster = Object.assign(Object.create(cluster) as MemoryCluster, {
      patchWorkload: async () => ({
        ok: false as const,
        status: 503,
        reason: 'ServiceUnavailable',
        message: 'etcd leader changed',
        changed: false,
      }),
    });
    const r = await refusal(apply(refuseDry, proposal));
    expect(r.code).toBe('CLUSTER_UNREACHABLE');
    expect(cluster.patches).toHaveLength(0);
  });

  it('the workload changed under the patch: stale, never a refusal; a refusal whose text says "test" stays one', async () => {
    const { cluster, proposal } = await proposed();
    const answering = (over: { status: number; message: string; changed: boolean }): MemoryCluster =>
      Object.assign(Object.create(cluster) as MemoryCluster, {
        patchWorkload: async () => ({ ok: false as const, reason: 'Invalid', ...over }),
      });
    const changed = await refusal(
      apply(answering({ status: 422, message: 'the server rejected our request', changed: true }), proposal),
    );
    expect(changed.code).toBe('STALE_PROPOSAL');
    const refused = await refusal(
      apply(
        answering({
          status: 422,
          message: 'spec.template.spec.containers[0].image: Invalid value: "registry.test/web:latest-test"',
          changed: false,
        }),
        proposal,
      ),
    );
    expect(refused.code).toBe('PATCH_REJECTED');
    expect(refused.message).toMatch(/latest-test/);
    expect(cluster.patches).toHaveLength(0);
  });

  it("a refusal echoing the workload's secret value is told masked", async () => {
    const { cluster, proposal } = await proposed();
    const echo: MemoryCluster = Object.assign(Object.create(cluster) as MemoryCluster, {
      patchWorkload: async () => ({
        ok: false as const,
        status: 422,
        reason: 'Invalid',
        message: `spec.template.spec.containers[0].args[0]: Invalid value: "${VALUE}"`,
        changed: false,
      }),
    });
    const r = await refusal(apply(echo, proposal));
    expect(r.code).toBe('PATCH_REJECTED');
    expect(r.message).toMatch(/Invalid value/);
    expect(r.message).not.toContain(VALUE);
    expect(cluster.patches).toHaveLength(0);
  });
});
