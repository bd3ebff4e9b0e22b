// The one round's end: the record built from an investigation, stored once, announced, its expiry scheduled.
import { describe, expect, it } from 'vitest';
import type { Investigation } from '../../../src/agent/investigate.js';
import { createMemoryProposalStore } from '../../../src/workflow/memory-proposal-store.js';
import type { StoredProposal } from '../../../src/workflow/proposal-record.js';
import { proposalRecordOf, proposeRound, type RoundRequest } from '../../../src/workflow/round.js';
import { sampleRecord } from '../../fixtures/proposal-record.js';

const sample = sampleRecord();
const inv = {
  target: sample.target,
  proposal: sample.proposal,
  diagnosis: null,
  run: { runId: 'run-1', runUrl: 'http://mlflow/#/runs/run-1' },
  iterations: 2,
  attempts: [{ iteration: 1, change: null, errors: ['dry-run refused'] }],
} as unknown as Investigation;

const req: RoundRequest = {
  proposalId: 'p9',
  jobId: 'job-9',
  cluster: 'staging',
  thread: { channel: 'C1', threadTs: '1.1', teamId: null },
  requestedBy: 'U1',
  requestedAt: 100,
  firstIteration: 3,
  ttlMs: 60_000,
};

describe('proposeRound', () => {
  it('builds the record from the investigation: iteration counted from the first, expiry from now', () => {
    const r = proposalRecordOf(inv, req, 1000);
    expect(r).toMatchObject({
      id: 'p9',
      jobId: 'job-9',
      cluster: 'staging',
      runId: 'run-1',
      iteration: 4,
      expiresAt: 61_000,
    });
    expect(r.attempts).toEqual([{ iteration: 1, change: null, errors: ['dry-run refused'] }]);
  });

  it('stores, announces and schedules once; a retried round finds the stored proposal', async () => {
    const store = createMemoryProposalStore();
    const announced: StoredProposal[] = [];
    const scheduled: number[] = [];
    const deps = {
      store,
      notifier: { proposal: async (r: StoredProposal) => void announced.push(r) },
      clock: { now: () => 1000 },
      scheduleExpiry: async (r: StoredProposal) => void scheduled.push(r.expiresAt),
    };
    const first = await proposeRound(deps, inv, req);
    const again = await proposeRound({ ...deps, clock: { now: () => 5000 } }, inv, req);
    expect(first.state).toBe('proposed');
    expect(again.createdAt).toBe(first.createdAt);
    expect(announced.map((r) => r.id)).toEqual(['p9', 'p9']);
    expect(scheduled).toEqual([61_000, 61_000]);
  });

  it('refuses to build a record from an investigation without a proposal', () => {
    expect(() => proposalRecordOf({ ...inv, proposal: null } as Investigation, req, 1)).toThrow(
      /no proposal/,
    );
  });
});
