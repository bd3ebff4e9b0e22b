// The in-process front (CLI fix, eval): its rounds go through the one round and the one decision — a
// declined proposal is rejected and tagged, an approved one applied once, a refused one changes nothing.
import { describe, expect, it } from 'vitest';
import { createRulesEngine } from '../../../src/agent/diagnose/rules/rules-engine.js';
import type { AgentDeps } from '../../../src/agent/investigate.js';
import { loadConfig } from '../../../src/config/config.js';
import type { Target } from '../../../src/domain/index.js';
import { NoopTracker } from '../../../src/tracking/no-op-tracker.js';
import { fixWorkload, type FixPorts } from '../../../src/workflow/fix-workload.js';
import { createMemoryProposalStore } from '../../../src/workflow/memory-proposal-store.js';
import type { StoredProposal } from '../../../src/workflow/proposal-record.js';
import { memoryCluster, type MemoryCluster } from '../../fixtures/memory-cluster.js';
import { scenarios } from '../../fixtures/index.js';

const target: Target = { kind: 'Deployment', name: 'api', namespace: 'shop' };

/** A tracker that records the decisions tagged on runs (the rest is the no-op tracker). */
class DecisionLog extends NoopTracker {
  readonly decisions: Record<string, string>[] = [];
  override async recordDecision(_runId: string | null, tags: Record<string, string>): Promise<void> {
    this.decisions.push(tags);
  }
}

function setup(): { cluster: MemoryCluster; tracker: DecisionLog; deps: AgentDeps } {
  const cluster = memoryCluster(scenarios.oomKilled());
  const tracker = new DecisionLog();
  const config = loadConfig({ AUTOFIX_NAMESPACES: 'shop', AUTOFIX_ROLLOUT_TIMEOUT: '10s' });
  return { cluster, tracker, deps: { cluster, tracker, engine: createRulesEngine(), config } };
}

function ports(over: Partial<FixPorts> = {}): FixPorts & { shown: StoredProposal[]; refusals: string[] } {
  const shown: StoredProposal[] = [];
  const refusals: string[] = [];
  return {
    shown,
    refusals,
    notifier: {
      progress: () => undefined,
      proposal: async (r) => void shown.push(r),
      showsWhole: () => true,
      outcome: async () => undefined,
      refusal: async (_r, reason) => void refusals.push(reason),
    },
    approve: async () => 'cli (dana)',
    namespaces: ['shop'],
    cluster: 'default',
    rollout: { pollMs: 1, settleSeconds: 0 },
    ...over,
  };
}

describe('fixWorkload', () => {
  it('announces the proposal, applies it once when approved, and tags the approval', async () => {
    const { cluster, tracker, deps } = setup();
    const store = createMemoryProposalStore();
    const p = ports({ store });
    const fixed = await fixWorkload(target, deps, p);
    expect(fixed.result.outcome).toBe('fixed');
    expect(p.shown).toHaveLength(1);
    expect(cluster.patches).toHaveLength(1);
    expect((await store.get(p.shown[0]!.id))?.state).toBe('applied');
    expect(tracker.decisions).toContainEqual({
      'autofix.decision': 'approved',
      'autofix.approved_by': 'cli (dana)',
      'autofix.label.1.verdict': 'approved',
      'autofix.label.1.approved_change': expect.stringContaining('"op"'),
    });
  });

  it('the proposal, the result and the run carry the cluster it was made on (AUTOFIX_CLUSTER)', async () => {
    const { deps } = setup();
    const store = createMemoryProposalStore();
    const p = ports({ store, cluster: 'staging' });
    const fixed = await fixWorkload(target, deps, p);
    expect(fixed.result).toMatchObject({ cluster: 'staging', outcome: 'fixed' });
    expect(p.shown[0]!.cluster).toBe('staging');
    expect((await store.get(p.shown[0]!.id))?.cluster).toBe('staging');
  });

  it('a declined proposal is rejected in the store and on the run, and nothing is patched', async () => {
    const { cluster, tracker, deps } = setup();
    const store = createMemoryProposalStore();
    const p = ports({ store, approve: async () => null });
    const fixed = await fixWorkload(target, deps, p);
    expect(fixed.result.outcome).toBe('proposed');
    expect(cluster.patches).toHaveLength(0);
    expect((await store.get(p.shown[0]!.id))?.state).toBe('rejected');
    expect(tracker.decisions).toEqual([
      { 'autofix.decision': 'rejected', 'autofix.label.1.verdict': 'rejected' },
    ]);
  });

  it('a namespace no longer allowed at decision time: refused, said once, nothing patched', async () => {
    const { cluster, tracker, deps } = setup();
    const store = createMemoryProposalStore();
    const p = ports({ store, namespaces: ['other'] });
    const fixed = await fixWorkload(target, deps, p);
    expect(fixed.result.outcome).toBe('refused');
    expect(fixed.result.error).toMatch(/Namespace "shop" is not allowed/);
    expect(p.refusals).toHaveLength(1);
    expect(cluster.patches).toHaveLength(0);
    expect((await store.get(p.shown[0]!.id))?.state).toBe('proposed');
    expect(tracker.decisions).toEqual([]);
  });

  it('an approver the authority does not know: refused before anything moves', async () => {
    const { cluster, deps } = setup();
    const p = ports({ authority: { isApprover: async () => false } });
    const fixed = await fixWorkload(target, deps, p);
    expect(fixed.result.outcome).toBe('refused');
    expect(p.refusals[0]).toMatch(/not \(or no longer\) an approver/);
    expect(cluster.patches).toHaveLength(0);
  });
});
