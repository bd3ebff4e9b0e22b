// After an applied change that did not heal: the next iteration continues the run and thread, within the budget.
import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../src/observability/logger.js';
import type { InvestigationRequest } from '../../../../src/queue/producer.js';
import { workflowDeps } from '../../../../src/queue/processors/slack-workflow.js';
import { continueAfterUnhealthy } from '../../../../src/workflow/approve.js';
import type { StoredProposal } from '../../../../src/workflow/proposal-record.js';
import type { WorkerContext } from '../../../../src/queue/worker-context.js';
import type { SlackMessage } from '../../../../src/slack/slack-poster.js';
import { sampleRecord, sampleStored } from '../../../fixtures/proposal-record.js';
import { memoryJobMessages } from '../../../fixtures/memory-job-messages.js';

const stored: StoredProposal = sampleStored({
  ...sampleRecord({ runId: 'run-1', iteration: 1, attempts: [] }),
  state: 'applied',
  decidedBy: 'U1',
  decidedAt: 1,
});

function context(maxIterations: number, running = false) {
  const requests: Array<{ request: InvestigationRequest; thread: string }> = [];
  const posts: SlackMessage[] = [];
  const recorded = new Map<string, string>();
  const ctx = {
    config: {
      maxIterations,
      namespaces: [],
      slack: { selfApproval: true },
      identity: { applyAs: 'worker', twoPerson: 'off' },
    },
    agent: { config: { policy: {} } },
    logger: createLogger('silent'),
    poster: {
      post: async (_c: string, m: SlackMessage) => (posts.push(m), `ts${posts.length}`),
      delete: async () => undefined,
    },
    messages: memoryJobMessages(recorded),
    producer: {
      addInvestigation: async (request: InvestigationRequest, open: () => Promise<string>) => {
        requests.push({ request, thread: await open() });
        return running
          ? { kind: 'already_running' as const, running: null }
          : {
              kind: 'enqueued' as const,
              jobId: 'j2',
              thread: { channel: 'C1', threadTs: '1.000001', teamId: null },
            };
      },
    },
  } as unknown as WorkerContext;
  return { ctx, requests, posts };
}

const job = { id: 'apply__p1' } as Job;

describe("continueAfterUnhealthy (workflow) with the worker's next round and Slack notifier", () => {
  it('enqueues iteration 2 in the same thread and MLflow run, with the failed change fed back', async () => {
    const c = context(3);
    await continueAfterUnhealthy(workflowDeps(c.ctx, job), stored, '0 of 1 updated replicas are available');
    expect(c.requests).toHaveLength(1);
    expect(c.requests[0]!.thread).toBe('1.000001');
    expect(c.requests[0]!.request.continuation).toEqual({
      runId: 'run-1',
      firstIteration: 2,
      attempts: [
        {
          iteration: 1,
          change: stored.proposal.change,
          errors: ['rollout did not become healthy: 0 of 1 updated replicas are available'],
        },
      ],
    });
    expect(c.posts).toHaveLength(0);
  });

  it("carries the investigation's LLM usage so far into the next round: its ceilings count it", async () => {
    const c = context(3);
    const llm = { calls: 2, promptTokens: 6000, completionTokens: 300, costUsd: 0.00108 };
    await continueAfterUnhealthy(workflowDeps(c.ctx, job), { ...stored, llm }, 'not healthy');
    expect(c.requests[0]!.request.continuation).toMatchObject({ runId: 'run-1', spent: llm });
  });

  it('stops at AUTOFIX_MAX_ITERATIONS with a message saying what to do', async () => {
    const c = context(1);
    await continueAfterUnhealthy(workflowDeps(c.ctx, job), stored, 'still crashing');
    expect(c.requests).toHaveLength(0);
    expect(c.posts[0]!.text).toMatch(/No safe automatic fix/);
    expect(JSON.stringify(c.posts[0]!.blocks)).toMatch(/no iterations are left \(AUTOFIX_MAX_ITERATIONS=1\)/);
  });

  it('says so when another investigation of the target is already running', async () => {
    const c = context(3, true);
    await continueAfterUnhealthy(workflowDeps(c.ctx, job), stored, 'x');
    expect(c.posts[0]!.text).toMatch(/already running/);
  });
});
