// The CLI's Notifier: the proposal rendered with the computed sentences, quiet and --yes honoured.
import { describe, expect, it } from 'vitest';
import { terminalNotifier } from '../../../src/cli/terminal-notifier.js';
import { createMemoryProposalStore } from '../../../src/workflow/memory-proposal-store.js';
import type { StoredProposal } from '../../../src/workflow/proposal-record.js';
import { sampleRecord } from '../../fixtures/proposal-record.js';

async function stored(): Promise<StoredProposal> {
  const { record } = await createMemoryProposalStore().save(sampleRecord());
  return record;
}

function capture(opts: { quiet?: boolean; showProposal: boolean }): {
  text: () => string;
  n: ReturnType<typeof terminalNotifier>;
} {
  const out: string[] = [];
  return { text: () => out.join(''), n: terminalNotifier({ stderr: (s) => out.push(s), ...opts }) };
}

describe('terminalNotifier', () => {
  it('shows the proposal as the CLI report: computed change first, the engine words labelled', async () => {
    const { text, n } = capture({ showProposal: true });
    await n.proposal(await stored());
    expect(text()).toContain('a validated fix is proposed (nothing applied)');
    expect(text()).toContain('  - container app: image nginx:1.25 → nginx:1.27');
    expect(text()).toContain(
      "Engine's explanation (its own words, not verified): set image of container app to nginx:1.27",
    );
  });

  it('with --yes prints no proposal, and quiet drops rollout lines but never a refusal', async () => {
    const { text, n } = capture({ showProposal: false, quiet: true });
    const record = await stored();
    await n.proposal(record);
    n.progress(record, '1 of 1 updated replicas are available');
    expect(text()).toBe('');
    await n.refusal(record, 'Not applied: the target changed since the proposal.');
    expect(text()).toBe('kube-autofix: Not applied: the target changed since the proposal.\n');
  });
});
