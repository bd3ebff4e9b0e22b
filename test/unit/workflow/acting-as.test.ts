// Who the proposal's dry-run runs as: the worker (worker mode), the requester (approver mode), or nobody —
// deferred to the approver's own patch — when the requester has no Kubernetes identity (an alert).
import { describe, expect, it } from 'vitest';
import type { DiagnosisEngine } from '../../../src/agent/diagnose/engine.js';
import { createRulesEngine } from '../../../src/agent/diagnose/rules/rules-engine.js';
import { investigate } from '../../../src/agent/investigate.js';
import { loadConfig } from '../../../src/config/config.js';
import type { Impersonation, Target } from '../../../src/domain/index.js';
import type { Cluster } from '../../../src/k8s/cluster.js';
import { EXTRA_KEYS } from '../../../src/k8s/impersonation.js';
import { NoopTracker } from '../../../src/tracking/no-op-tracker.js';
import { proposingCluster } from '../../../src/workflow/acting-as.js';
import type { Authority } from '../../../src/workflow/decision-checks.js';
import { memoryCluster } from '../../fixtures/memory-cluster.js';
import { scenarios } from '../../fixtures/index.js';

const target: Target = { kind: 'Deployment', name: 'api', namespace: 'shop' };
const authority: Authority = {
  isApprover: async () => true,
  identityOf: async (u) => (u === 'U0SAM' ? { user: 'sam@example.com', groups: ['sre'] } : null),
};

/** The memory cluster, recording every patch (dry-run or not) and who it was sent as; `denies` may not patch. */
function recording(denies: string | null = null) {
  const base = memoryCluster(scenarios.oomKilled());
  const sent: Array<{ as: Impersonation | null; dryRun: boolean }> = [];
  const reviews: string[] = [];
  const wrap = (c: Cluster, as: Impersonation | null): Cluster => ({
    ...c,
    reviewAccess: async (subject, access) => {
      reviews.push(`${subject.user} ${access.verb} ${access.resource}/${access.name} in ${access.namespace}`);
      const allowed = subject.user !== denies;
      return {
        allowed,
        reason: `${subject.user} may${allowed ? '' : ' not'} ${access.verb} ${access.resource}`,
      };
    },
    patchWorkload: async (t, ops, opts) => {
      sent.push({ as, dryRun: opts.dryRun });
      return c.patchWorkload(t, ops, opts);
    },
    as: (who) => wrap(c, who),
  });
  return { cluster: wrap(base, null), sent, reviews };
}

/** The rules' fix with the new memory limit past the 4Gi cap: a change the policy refuses. */
function overreaching(): DiagnosisEngine {
  const rules = createRulesEngine();
  return {
    ...rules,
    diagnose: async (input) => {
      const out = await rules.diagnose(input);
      const change = out.diagnosis.change;
      const patch = change?.patch.map((op) =>
        op.path.endsWith('/resources/limits/memory') ? { ...op, value: '64Gi' } : op,
      );
      return {
        ...out,
        diagnosis: { ...out.diagnosis, change: change && patch ? { ...change, patch } : null },
      };
    },
  };
}

async function proposeWith(
  requestedBy: string,
  applyAs: 'worker' | 'approver',
  opts: { authority?: Authority; engine?: DiagnosisEngine; denies?: string } = {},
) {
  const { cluster, sent, reviews } = recording(opts.denies ?? null);
  const proposing = await proposingCluster(
    cluster,
    opts.authority ?? authority,
    { applyAs },
    { requestedBy, proposalId: 'p1', target },
  );
  const inv = await investigate(target, {
    ...proposing,
    engine: opts.engine ?? createRulesEngine(),
    tracker: new NoopTracker(),
    config: loadConfig({ AUTOFIX_NAMESPACES: 'shop' }),
  });
  return { inv, sent, proposing, reviews };
}

describe('proposingCluster', () => {
  it('worker mode: the worker dry-runs as itself', async () => {
    const { inv, sent } = await proposeWith('U0SAM', 'worker');
    expect(inv.outcome).toBe('proposed');
    expect(sent).toEqual([{ as: null, dryRun: true }]);
    expect(inv.proposal!.validation.dryRun).toEqual({ ok: true, message: null });
  });

  it('approver mode, a mapped requester: the dry-run is sent as them, naming the proposal and the step', async () => {
    const { inv, sent } = await proposeWith('U0SAM', 'approver');
    expect(inv.outcome).toBe('proposed');
    expect(sent).toEqual([
      {
        as: {
          user: 'sam@example.com',
          groups: ['sre'],
          extra: {
            [EXTRA_KEYS.slackUser]: ['U0SAM'],
            [EXTRA_KEYS.proposal]: ['p1'],
            [EXTRA_KEYS.step]: ['dry-run'],
          },
        },
        dryRun: true,
      },
    ]);
  });

  it("approver mode, a mapped requester the cluster does not let patch: still proposed, the dry-run deferred with the cluster's words", async () => {
    const { inv, sent, proposing, reviews } = await proposeWith('U0SAM', 'approver', {
      denies: 'sam@example.com',
    });
    expect(reviews).toEqual(['sam@example.com patch deployments/api in shop']);
    expect(proposing.dryRunDeferred).toMatch(
      /the cluster says sam@example\.com may not patch deployments, so the requester cannot approve it either.*an approver who may patch it decides/,
    );
    // Not failed, not retried as the requester: proposed after schema and policy, no patch of any kind sent.
    expect(inv.outcome).toBe('proposed');
    expect(sent).toEqual([]);
    expect(inv.proposal!.validation).toMatchObject({
      schemaOk: true,
      policy: { ok: true },
      dryRun: { ok: true, deferred: true, message: proposing.dryRunDeferred },
    });
  });

  it('approver mode, no identity (an alert): proposed after schema and policy, no dry-run sent, and it says so', async () => {
    const { inv, sent, proposing } = await proposeWith('alertmanager', 'approver');
    expect(proposing.dryRunDeferred).toMatch(/requester has no Kubernetes identity/);
    expect(inv.outcome).toBe('proposed');
    expect(sent).toEqual([]);
    expect(inv.proposal!.validation).toMatchObject({
      schemaOk: true,
      policy: { ok: true },
      dryRun: {
        ok: true,
        deferred: true,
        message: expect.stringMatching(/judges the patch when an approver applies it/),
      },
    });
  });

  it('deferral skips the dry-run only: a change the policy refuses is still refused, and not called deferred', async () => {
    const { inv, sent } = await proposeWith('alertmanager', 'approver', { engine: overreaching() });
    expect(inv.outcome).not.toBe('proposed');
    expect(inv.proposal).toBeNull();
    expect(sent).toEqual([]);
    expect(inv.validation).toMatchObject({
      policy: { ok: false, violations: expect.arrayContaining([expect.stringMatching(/64Gi/)]) },
      dryRun: { ok: false, message: 'not run: an earlier check failed' },
    });
    expect(inv.validation!.dryRun.deferred).toBeUndefined();
  });

  it('an authority with no identity map (the Slack allowlist alone) has nobody to run it as: deferred', async () => {
    const allowlistOnly: Authority = { isApprover: async () => true };
    const { inv, sent, proposing } = await proposeWith('U0SAM', 'approver', { authority: allowlistOnly });
    expect(proposing.dryRunDeferred).toMatch(/no Kubernetes identity/);
    expect(sent).toEqual([]);
    expect(inv.proposal!.validation.dryRun).toMatchObject({ ok: true, deferred: true });
  });

  it('worker mode never defers and asks no review, whoever asked (an alert too)', async () => {
    const { inv, sent, proposing, reviews } = await proposeWith('alertmanager', 'worker');
    expect(proposing.dryRunDeferred).toBeNull();
    expect(reviews).toEqual([]);
    expect(sent).toEqual([{ as: null, dryRun: true }]);
    expect(inv.proposal!.validation.dryRun.deferred).toBeUndefined();
  });
});
