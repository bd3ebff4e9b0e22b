// Faults: a worker SIGKILLed mid-investigation or mid-apply; another worker finishes, one proposal, never two applies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startOpenAiStandIn,
  type OpenAiStandIn,
  type ScriptedReply,
} from '../../tools/stand-ins/openai-stand-in.js';
import { deployment, waitAvailable, type Kube, useNamespace } from './support/kube.js';
import { askForFix, brokenDeployment, imageOf } from './support/slack-flow.js';
import {
  APPROVER,
  CHANNEL,
  buttonsOf,
  feedbackButtons,
  click,
  parentMessages,
  proposalsIn,
  slash,
  startHarness,
  textOf,
  type Harness,
} from './support/slack-harness.js';
import { LlmSpend } from '../../src/domain/index.js';
import { jobIdFor } from '../../src/queue/jobs.js';
import { keySpace } from '../../src/queue/key-space.js';
import { experimentId, getRun, kv, searchRuns } from './support/mlflow-rest.js';
import { startMlflowProxy } from './support/mlflow-proxy.js';
import { spawnWorker, type ChildWorker } from './support/spawn-worker.js';
import { waitFor } from './support/wait-for.js';

let k: Kube;
let ns: string;
let h: Harness;
let llm: OpenAiStandIn;
const children: ChildWorker[] = [];

useNamespace('kill', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  llm = await startOpenAiStandIn();
  await Promise.all([
    brokenDeployment(k, ns, 'victim'),
    brokenDeployment(k, ns, 'slowfix', { minReadySeconds: 15 }),
    brokenDeployment(k, ns, 'booked'),
    brokenDeployment(k, ns, 'drained'),
    brokenDeployment(k, ns, 'unrecorded'),
    brokenDeployment(k, ns, 'capped'),
    k.apps
      .createNamespacedDeployment({ namespace: ns, body: deployment('steady', { image: 'nginx:1.27' }) })
      .then(() => waitAvailable(k, ns, 'steady')),
  ]);
  // The LLM engine makes the investigation slow on demand (a delayed answer), so a kill lands mid-job.
  h = await startHarness({
    env: {
      AUTOFIX_NAMESPACES: ns,
      AUTOFIX_JOB_LOCK: '2s',
      OPENAI_API_KEY: llm.apiKey,
      OPENAI_BASE_URL: llm.url,
      AUTOFIX_LLM_MAX_RETRIES: '0',
      AUTOFIX_LLM_TIMEOUT_MS: '120000',
    },
  });
}, 180_000);

afterAll(async () => {
  for (const c of children) await c.kill('SIGKILL');
  await h?.close();
  await llm?.close();
});

const where = (m: { ts: string; threadTs: string | null }) => ({
  channel: CHANNEL,
  messageTs: m.ts,
  threadTs: m.threadTs ?? undefined,
});

/** A worker process on the harness's environment (`env` overrides it, e.g. MLflow behind a proxy). */
function child(direct = false, env: Record<string, string> = {}): ChildWorker {
  const c = spawnWorker({ ...h.env, ...env }, { direct });
  children.push(c);
  return c;
}

/** The investigation runs of deployment `name` (nested runs left out), oldest first. */
async function parentRunsOf(name: string) {
  const runs = await searchRuns(
    await experimentId('kube-autofix-slack-tests'),
    `tags.\`autofix.target\` = 'deployment/${ns}/${name}'`,
  );
  return runs.filter((r) => !kv(r.data.tags)['mlflow.parentRunId']);
}

/** Waits until deployment `name`'s investigation runs have exactly these statuses, oldest first. */
function parentRunsEnded(name: string, statuses: string[], what: string) {
  return waitFor(
    async () => {
      const runs = await parentRunsOf(name);
      return runs.map((r) => r.info.status).join() === statuses.join() ? runs : null;
    },
    { what, timeoutMs: 60_000 },
  );
}

/**
 * Asks for deployment `name` with the model scripted to `replies`; resolves once its parent is posted and the
 * first call has reached the model (`seen`: the model's request count before).
 */
async function askUntilModelCalled(name: string, ...replies: ScriptedReply[]) {
  const seen = llm.requests.length;
  llm.push(...replies);
  await slash(h, `deployment/${name} -n ${ns}`);
  const parent = await h.slack.waitFor(
    () => parentMessages(h).find((m) => m.text.includes(`deployment/${name}`)),
    10_000,
    'the parent',
  );
  await llm.waitForRequests(seen + 1);
  return { parent, seen };
}

describe('a worker killed with SIGKILL', () => {
  it('mid-investigation: another worker finishes the job; one progress message, one proposal, one apply', async () => {
    const first = child();
    await first.ready();
    llm.push({ delayMs: 60_000, status: 503 }); // the first worker waits here…
    llm.push({ status: 503 }); // …the second one falls back to the rule engine at once.
    const r = await slash(h, `deployment/victim -n ${ns}`);
    expect(r.status).toBe(200);
    const parent = await h.slack.waitFor(
      () => parentMessages(h).find((m) => m.text.includes('deployment/victim')),
      10_000,
      'the parent',
    );
    await llm.waitForRequests(1);
    const progress = await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, parent.ts)[0],
      10_000,
      'the progress message',
    );
    // Killed once its run exists (a cold MLflow can still be creating it): that run must not stay RUNNING.
    await parentRunsEnded('victim', ['RUNNING'], "the first attempt's run to exist");
    const killed = await first.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    expect(proposalsIn(h, CHANNEL, parent.ts)).toHaveLength(0);

    const t0 = performance.now();
    await h.startWorker();
    const proposal = await h.slack.waitFor(
      () => proposalsIn(h, CHANNEL, parent.ts)[0],
      60_000,
      'the proposal from the second worker',
    );
    console.info(
      `[timing] killed job finished by the second worker after ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    // The same progress message was edited (not a second one), and says the job was resumed.
    const thread = h.slack.messagesIn(CHANNEL, parent.ts);
    expect(thread.map((m) => m.ts)).toEqual([progress.ts, proposal.ts]);
    expect(textOf(h.slack.message(CHANNEL, progress.ts))).toMatch(
      /resumed after an interruption \(attempt 2\)/,
    );
    expect(textOf(proposal)).toMatch(/rule engine/);
    // The killed attempt's MLflow run is not left RUNNING: the recovering worker ended it KILLED; the second
    // attempt's run ends FINISHED once its bookkeeping, written after the proposal, is done.
    const parents = await parentRunsEnded(
      'victim',
      ['KILLED', 'FINISHED'],
      'the killed run KILLED and the finished one FINISHED',
    );
    expect(kv(parents[0]!.data.tags)['autofix.outcome']).toBe('interrupted');
    // Nor is an iteration run: the killed attempt's iteration lived in its memory (nested runs are created
    // with the bookkeeping, after the proposal), and any nested run on the server ends with its parent.
    const nested = await searchRuns(
      await experimentId('kube-autofix-slack-tests'),
      `tags.mlflow.parentRunId = '${parents[0]!.info.run_id}'`,
    );
    expect(nested.map((r) => r.info.status)).not.toContain('RUNNING');

    const generation =
      (await k.apps.readNamespacedDeployment({ name: 'victim', namespace: ns })).metadata?.generation ?? 0;
    const id = buttonsOf(proposal).autofix_approve!;
    await click(h, 'autofix_approve', id, APPROVER, where(proposal));
    await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, parent.ts).find((m) => m.text.includes('Applied fix')),
      60_000,
      'the apply result',
    );
    // A late second click (Slack retry) re-enqueues nothing that applies again.
    const late = await click(h, 'autofix_approve', id, APPROVER, where(proposal));
    await h.slack.waitForResponse((x) => x.id === late.responseId, 5000);
    await waitAvailable(k, ns, 'victim');
    expect(
      (await k.apps.readNamespacedDeployment({ name: 'victim', namespace: ns })).metadata?.generation,
    ).toBe(generation + 1);
    expect(h.slack.messagesIn(CHANNEL, parent.ts).filter((m) => m.text.includes('Applied fix'))).toHaveLength(
      1,
    );
    expect(await imageOf(k, ns, 'victim')).toBe('nginx:1.27');
  });

  it('killed before MLflow answered its run: the recovering worker still ends that run KILLED', async () => {
    await h.worker?.stop();
    h.worker = null;
    // This worker's run creation reaches MLflow only after the worker died, so it never recorded the run.
    const slow = await startMlflowProxy(h.env.MLFLOW_TRACKING_URI!, {
      hold: (r) => r.url.startsWith('/api/2.0/mlflow/runs/create'),
    });
    try {
      const first = child(false, { MLFLOW_TRACKING_URI: slow.url });
      await first.ready();
      const { parent } = await askUntilModelCalled(
        'unrecorded',
        { delayMs: 60_000, status: 503 },
        { status: 503 },
      );
      await waitFor(async () => slow.held.length > 0, {
        what: 'the run creation to reach MLflow',
        timeoutMs: 30_000,
      });
      expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL');
      // The server creates the run after all: RUNNING, and no worker alive knows its id.
      slow.release();
      const [orphan] = await parentRunsEnded('unrecorded', ['RUNNING'], "the killed attempt's run to exist");

      await h.startWorker();
      await h.slack.waitFor(
        () => proposalsIn(h, CHANNEL, parent.ts)[0],
        60_000,
        'the proposal from the second worker',
      );
      const runs = await parentRunsEnded(
        'unrecorded',
        ['KILLED', 'FINISHED'],
        'the orphaned run KILLED and the second one FINISHED',
      );
      expect(runs[0]!.info.run_id).toBe(orphan!.info.run_id);
      expect(kv(runs[0]!.data.tags)['autofix.outcome']).toBe('interrupted');
      // Both attempts' runs name the one job they were started by.
      expect(new Set(runs.map((r) => kv(r.data.tags)['autofix.job_id'])).size).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it('mid-LLM-call: the retry counts the killed call at its bound, so the token ceiling still holds', async () => {
    await h.worker?.stop();
    h.worker = null;
    const first = child();
    await first.ready();
    // Earlier tests' jobs kept their spend too: this job's record is the one that is new.
    const messages = keySpace(h.prefix).cluster('default').jobMessages('*');
    const earlier = new Set(await h.redis.keys(messages));
    const { parent, seen } = await askUntilModelCalled('capped', { delayMs: 60_000, status: 503 });
    // Kept in Redis before the call went out: the call at its whole bound (prompt bound + max output tokens).
    const kept = await waitFor(
      async () => {
        for (const key of await h.redis.keys(messages)) {
          if (earlier.has(key)) continue;
          const raw = await h.redis.hget(key, 'spent');
          if (raw) return LlmSpend.parse(JSON.parse(raw));
        }
        return null;
      },
      { what: 'the kept LLM spend', timeoutMs: 10_000 },
    );
    expect(kept.calls).toBe(1);
    const bound = kept.promptTokens + kept.completionTokens;
    expect((await first.kill('SIGKILL')).signal).toBe('SIGKILL');
    // A ceiling that one more call of that size fits, unless the killed call is counted: it must be.
    const second = child(false, {
      AUTOFIX_LLM_MAX_TOKENS_PER_INVESTIGATION: String(Math.floor(bound * 1.5)),
    });
    try {
      const proposal = await h.slack.waitFor(
        () => proposalsIn(h, CHANNEL, parent.ts)[0],
        60_000,
        'the proposal from the second worker',
      );
      expect(textOf(proposal)).toMatch(/LLM not asked: the investigation's token ceiling/);
      expect(llm.requests.length).toBe(seen + 1);
    } finally {
      await second.kill('SIGTERM');
    }
  });

  it('mid-apply: the next worker adopts the rollout it started instead of applying again', async () => {
    await h.worker?.stop();
    h.worker = null;
    const second = child();
    await second.ready();
    llm.push({ status: 503 });
    const asked = await askForFix(h, ns, 'slowfix');
    const generation =
      (await k.apps.readNamespacedDeployment({ name: 'slowfix', namespace: ns })).metadata?.generation ?? 0;
    await click(h, 'autofix_approve', asked.proposalId, APPROVER, where(asked.proposal));
    // The patch has landed (minReadySeconds keeps the rollout going): kill the worker watching it.
    await waitFor(
      async () =>
        (await k.apps.readNamespacedDeployment({ name: 'slowfix', namespace: ns })).metadata?.generation ===
        generation + 1,
      {
        what: 'the apply to land',
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
    await second.kill('SIGKILL');
    expect((await h.store.get(asked.proposalId))!.state).toBe('applying');

    await h.startWorker();
    const result = await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, asked.parent.ts).find((m) => m.text.includes('Applied fix')),
      90_000,
      'the adopted apply result',
    );
    expect(textOf(result)).toMatch(/rollout healthy/);
    const runId = (await h.store.get(asked.proposalId))!.runId;
    expect(buttonsOf(result)).toEqual({ autofix_rollback: asked.proposalId, ...feedbackButtons(runId) });
    expect(
      (await k.apps.readNamespacedDeployment({ name: 'slowfix', namespace: ns })).metadata?.generation,
    ).toBe(generation + 1);
    expect((await h.store.get(asked.proposalId))!.state).toBe('applied');
  });

  it('between posting the proposal and writing MLflow: the watch completes the run, the decision is intact', async () => {
    await h.worker?.stop();
    h.worker = null;
    // This worker's MLflow never answers a log-batch: it dies with its bookkeeping in flight.
    const stall = await startMlflowProxy(h.env.MLFLOW_TRACKING_URI!, {
      hold: (r) => r.url.startsWith('/api/2.0/mlflow/runs/log-batch'),
    });
    try {
      const w = child(false, { MLFLOW_TRACKING_URI: stall.url });
      await w.ready();
      llm.push({ status: 503 });
      const asked = await askForFix(h, ns, 'booked');
      await waitFor(async () => stall.held.length > 0, {
        what: 'the bookkeeping to reach MLflow',
        timeoutMs: 30_000,
      });
      const record = (await h.store.get(asked.proposalId))!;
      // The job is done (its slot free for the next) while its bookkeeping is still being written.
      await waitFor(async () => (await h.queue.getJob(record.jobId))?.isCompleted(), {
        what: 'the investigate job to complete',
        timeoutMs: 10_000,
      });
      await w.kill('SIGKILL');
      expect(record.state).toBe('proposed');
      expect((await getRun(record.runId!)).info.status).toBe('RUNNING');

      // The watch is a delayed job (2 min): run it now, as time would.
      const watch = await h.queue.getJob(jobIdFor('bookkeeping', record.runId!));
      expect(watch?.name).toBe('bookkeeping');
      await watch!.promote();
      await h.startWorker();
      const tags = await waitFor(
        async () => {
          const run = await getRun(record.runId!);
          return run.info.status === 'FINISHED' ? kv(run.data.tags) : null;
        },
        { what: 'the abandoned run to be completed', timeoutMs: 30_000 },
      );
      expect(tags).toMatchObject({ 'autofix.bookkeeping': 'lost', 'autofix.outcome': 'proposed' });
      // What the workflow kept in Redis tells the story the dead worker could not write.
      expect(tags['mlflow.note.content']).toContain(record.diagnosis!.rootCause);

      // Nothing of the decision is lost: the proposal is approved and applied as ever.
      await click(h, 'autofix_approve', asked.proposalId, APPROVER, where(asked.proposal));
      await h.slack.waitFor(
        () => h.slack.messagesIn(CHANNEL, asked.parent.ts).find((m) => m.text.includes('Applied fix')),
        60_000,
        'the apply result',
      );
      expect((await h.store.get(asked.proposalId))!.state).toBe('applied');
      await waitFor(async () => kv((await getRun(record.runId!)).data.tags)['autofix.outcome'] === 'fixed', {
        what: 'the run to say fixed',
        timeoutMs: 30_000,
      });
    } finally {
      await stall.close();
    }
  });

  it('SIGTERM with bookkeeping in flight: the worker writes it before it exits; no watch is left to run', async () => {
    await h.worker?.stop();
    h.worker = null;
    const stall = await startMlflowProxy(h.env.MLFLOW_TRACKING_URI!, {
      hold: (r) => r.url.startsWith('/api/2.0/mlflow/runs/log-batch'),
    });
    try {
      const w = child(true, { MLFLOW_TRACKING_URI: stall.url });
      await w.ready();
      llm.push({ status: 503 });
      const asked = await askForFix(h, ns, 'drained');
      await waitFor(async () => stall.held.length > 0, {
        what: 'the bookkeeping to reach MLflow',
        timeoutMs: 30_000,
      });
      const record = (await h.store.get(asked.proposalId))!;
      await waitFor(async () => (await h.queue.getJob(record.jobId))?.isCompleted(), {
        what: 'the investigate job to complete',
        timeoutMs: 10_000,
      });
      // Signalled with no job active and the flush stalled: only the drain keeps the process alive now.
      const exit = w.kill('SIGTERM');
      await waitFor(async () => w.logs().includes('"msg":"shutting down'), {
        what: 'the worker to start shutting down',
        timeoutMs: 10_000,
      });
      expect((await getRun(record.runId!)).info.status).toBe('RUNNING');
      stall.release();
      expect(await exit).toEqual({ code: 0, signal: null });

      // Read from MLflow: the worker's own flush ended the run, with what only it had (the artifacts).
      const run = await getRun(record.runId!);
      expect(run.info.status).toBe('FINISHED');
      const tags = kv(run.data.tags);
      expect(tags['autofix.outcome']).toBe('proposed');
      expect(tags['autofix.bookkeeping']).toBeUndefined();
      expect(run.data.params?.length ?? 0).toBeGreaterThan(0);
      // The flush wrote everything, so its watch was removed before the connections closed.
      expect(await h.queue.getJob(jobIdFor('bookkeeping', record.runId!))).toBeUndefined();
    } finally {
      await stall.close();
    }
  });

  it('SIGTERM mid-investigation: the worker finishes the job, then exits 0 having closed its connections', async () => {
    await h.worker?.stop();
    h.worker = null;
    const w = child(true);
    await w.ready();
    const { parent } = await askUntilModelCalled('steady', { delayMs: 3000, status: 503 });
    const exit = await w.kill('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    // The investigation finished before the exit: its final message is in the thread (steady is healthy).
    expect(h.slack.messagesIn(CHANNEL, parent.ts).some((m) => /Healthy: nothing to fix/.test(m.text))).toBe(
      true,
    );
    expect(w.logs()).toMatch(/"msg":"shutting down: finishing active jobs, closing connections"/);
    expect(w.logs()).toMatch(/"msg":"job completed"[\s\S]*"msg":"stopped"/);
  });
});
