// Postmortem-ready runs on the sandbox's real MLflow with the Slack stand-in: the story, the trace and its session,
// feedback assessments, history and "seen before", and the same Slack flow when MLflow is down.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runHistoryCommand } from '../../src/cli/history-command.js';
import { PastIncident } from '../../src/tracking/past-incidents.js';
import {
  blockActionPayload,
  viewSubmissionPayload,
  type StoredMessage,
} from '../../tools/stand-ins/local-slack/slack-stand-in.js';
import { closedPort } from '../../tools/stand-ins/mlflow-failure-server.js';
import { type Kube } from './support/kube.js';
import * as mlflow from './support/mlflow-rest.js';
import { runCli, runCliHuman } from './support/run-cli.js';
import { askForFix, imageOf, runTags, useSlackScene } from './support/slack-flow.js';
import {
  APPROVER,
  CHANNEL,
  OUTSIDER,
  REQUESTER,
  SIGNING_SECRET,
  buttonsOf,
  click,
  feedbackButtons,
  slash,
  startHarness,
  textOf,
  type Harness,
} from './support/slack-harness.js';
import { waitFor } from './support/wait-for.js';

const EXPERIMENT = `it-postmortem-${randomUUID()}`;
const REASON = 'wrong diagnosis: it was missing config — the pull secret, not the tag';

let k: Kube;
let ns: string;
let h: Harness;

useSlackScene(
  'pm',
  {
    broken: ['web', 'hist', 'down'],
    harness: () => ({ env: { MLFLOW_EXPERIMENT_NAME: EXPERIMENT }, worker: true }),
  },
  (s) => ({ k, ns, h } = s),
);

const where = (m: { ts: string; threadTs: string | null }) => ({
  channel: CHANNEL,
  messageTs: m.ts,
  threadTs: m.threadTs ?? undefined,
});

type AnyValue = {
  string_value?: string;
  bool_value?: boolean;
  int_value?: string | number;
  double_value?: number;
  kvlist_value?: { values?: { key: string; value: AnyValue }[] };
  array_value?: { values?: AnyValue[] };
};
/** An OTLP AnyValue as the server returns it, as plain JSON. */
function plain(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.kvlist_value)
    return Object.fromEntries((v.kvlist_value.values ?? []).map((e) => [e.key, plain(e.value)]));
  if (v.array_value) return (v.array_value.values ?? []).map(plain);
  if (v.int_value !== undefined) return Number(v.int_value);
  return v.string_value ?? v.bool_value ?? v.double_value ?? null;
}
function attr(span: { attributes: unknown }, key: string): unknown {
  return plain((span.attributes as { key: string; value: AnyValue }[]).find((a) => a.key === key)?.value);
}

interface Assessment {
  assessment_id: string;
  assessment_name: string;
  source?: { source_type: string; source_id: string };
  feedback?: { value?: unknown };
  rationale?: string;
  valid?: boolean;
}
async function assessments(traceId: string): Promise<Assessment[]> {
  const res = await fetch(`${mlflow.mlflowUri()}/api/3.0/mlflow/traces/${traceId}`);
  const body = (await res.json()) as { trace: { trace_info: { assessments?: Assessment[] } } };
  return (body.trace.trace_info.assessments ?? []).filter((a) => a.assessment_name === 'helpful');
}

/** A signed feedback click carrying the message's blocks, as Slack sends them. */
async function feedbackClick(m: StoredMessage, actionId: string, runId: string, user: string): Promise<void> {
  const payload = blockActionPayload({
    actionId,
    value: runId,
    userId: user,
    channelId: CHANNEL,
    messageTs: m.ts,
    threadTs: m.threadTs ?? undefined,
    responseUrl: h.slack.responseUrl(),
    blockId: 'autofix_feedback',
    message: { text: m.text, blocks: m.blocks },
  });
  const reply = await h.slack.sendBlockAction(h.botUrl, SIGNING_SECRET, payload);
  expect(reply.status).toBe(200);
}

describe('a Slack-driven fix tells its story', () => {
  let runId: string;
  let result: StoredMessage;
  let traceId: string;

  it('description and tags: requester, thread link, root cause, approver, rollout; the trace: outputs and one session', async () => {
    const asked = await askForFix(h, ns, 'web');
    const record = (await h.store.get(asked.proposalId))!;
    runId = record.runId!;
    await click(h, 'autofix_approve', asked.proposalId, APPROVER, where(asked.proposal));
    result = await h.slack.waitFor(
      () => h.slack.messagesIn(CHANNEL, asked.parent.ts).find((m) => m.text.includes('Applied fix')),
      120_000,
      'the apply result',
    );
    expect(textOf(result)).toMatch(/rollout healthy/);

    const permalink = h.slack.calls('chat.getPermalink').find((c) => c.args.message_ts === asked.parent.ts)
      ?.response.permalink as string;
    expect(permalink).toMatch(/\/archives\/C0OPS\/p\d+/);
    const tags = await runTags(h.env.MLFLOW_TRACKING_URI!, runId);
    const note = tags['mlflow.note.content']!;
    for (const fact of [REQUESTER, permalink, record.diagnosis!.rootCause, APPROVER, '**healthy** after'])
      expect(note).toContain(fact);
    expect(note).toMatch(/time to healthy \d+\.\d s/);
    expect(note).toContain('nginx:1.27');
    expect(tags).toMatchObject({
      'autofix.requested_by': REQUESTER,
      'autofix.channel': CHANNEL,
      'autofix.thread_url': permalink,
      'autofix.category': 'image_pull',
      'autofix.outcome': 'fixed',
      'autofix.approved_by': APPROVER,
      'autofix.rollout_healthy': 'true',
    });

    const [info] = await mlflow.tracesOfRun((await mlflow.getRun(runId)).info.experiment_id, runId);
    traceId = info!.trace_id;
    expect(info!.trace_metadata?.['mlflow.trace.session']).toBe(`slack-${CHANNEL}-${asked.parent.ts}`);
    const { spans } = (await mlflow.getTrace(traceId)).trace;
    const root = spans.find((s) => !s.parent_span_id)!;
    expect(attr(root, 'mlflow.spanInputs')).toMatchObject({ requester: REQUESTER, channel: CHANNEL });
    expect(attr(root, 'mlflow.spanOutputs')).toMatchObject({
      outcome: 'fixed',
      category: 'image_pull',
      rootCause: record.diagnosis!.rootCause,
      decision: { decision: 'approved', by: APPROVER },
    });
    // The investigation round and the apply round (another job, another process step) are in this trace,
    // whose session is the thread: MLflow's Sessions view groups them.
    const names = spans.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['iteration 1', 'apply', 'rollout']));
  });

  it('"Not helpful" with a reason becomes an assessment by that user; a second click replaces it', async () => {
    expect(buttonsOf(result)).toMatchObject(feedbackButtons(runId));
    const image = await imageOf(k, ns, 'web');
    await feedbackClick(result, 'autofix_feedback_down', runId, OUTSIDER);
    const modal = await h.slack.waitFor(() => h.slack.views().at(-1), 10_000, 'the feedback modal');
    const submit = viewSubmissionPayload(OUTSIDER, modal, {
      autofix_feedback_reason_block: { autofix_feedback_reason_input: REASON },
    });
    expect((await h.slack.sendBlockAction(h.botUrl, SIGNING_SECRET, submit)).status).toBe(200);
    const mine = await waitFor(
      async () => {
        const a = (await assessments(traceId)).filter((x) => x.source?.source_id === OUTSIDER);
        return a.length === 1 && a[0]!.rationale === REASON ? a : null;
      },
      { what: 'the assessment with the reason', timeoutMs: 15_000 },
    );
    expect(mine[0]).toMatchObject({ source: { source_type: 'HUMAN' }, feedback: { value: false } });
    // The run keeps it as labels for eval --replay: the correction is the expected category.
    const labelled = await waitFor(
      async () => {
        const t = await runTags(h.env.MLFLOW_TRACKING_URI!, runId);
        return t['autofix.label.feedback'] === 'down' ? t : null;
      },
      { what: 'the feedback labels', timeoutMs: 15_000 },
    );
    expect(labelled).toMatchObject({
      'autofix.label.feedback_reason': REASON,
      'autofix.label.expected_category': 'missing_config',
      'autofix.label.expected_source': 'human',
    });
    const shown = await h.slack.waitFor(
      () => {
        const m = h.slack.message(CHANNEL, result.ts)!;
        return textOf(m).includes('Feedback recorded') ? m : undefined;
      },
      10_000,
      'the feedback note',
    );
    expect(textOf(shown)).toContain(`<@${OUTSIDER}> found this not helpful`);

    await feedbackClick(h.slack.message(CHANNEL, result.ts)!, 'autofix_feedback_up', runId, OUTSIDER);
    const replaced = await waitFor(
      async () => {
        const a = (await assessments(traceId)).filter((x) => x.source?.source_id === OUTSIDER);
        return a.length === 1 && a[0]!.feedback?.value === true ? a : null;
      },
      { what: 'the replaced assessment', timeoutMs: 15_000 },
    );
    expect(replaced[0]!.assessment_id).toBe(mine[0]!.assessment_id);
    await waitFor(
      async () => {
        const t = await runTags(h.env.MLFLOW_TRACKING_URI!, runId);
        return (
          t['autofix.label.feedback'] === 'up' && t['autofix.label.expected_category'] === 'missing_config'
        );
      },
      { what: 'the replaced feedback label, the correction kept', timeoutMs: 15_000 },
    );
    // Feedback never touches the cluster.
    expect(await imageOf(k, ns, 'web')).toBe(image);
  });
});

describe('history and memory', () => {
  const cliEnv = () => ({
    AUTOFIX_NAMESPACES: ns,
    MLFLOW_TRACKING_URI: h.env.MLFLOW_TRACKING_URI!,
    MLFLOW_EXPERIMENT_NAME: EXPERIMENT,
  });

  it('lists three past investigations newest first; a fourth says it was seen 3 times', async () => {
    const runs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await runCli('diagnose', 'deployment/hist', { namespace: ns }, cliEnv());
      expect(r.json.outcome).toBe('proposed');
      runs.push(r.json.tracking!.runId);
    }
    let out = '';
    const code = await runHistoryCommand(
      'deployment/hist',
      { namespace: ns, json: true },
      {
        stdout: (s) => (out += s),
        stderr: () => undefined,
        env: cliEnv(),
        isTty: false,
        confirm: async () => false,
      },
    );
    expect(code).toBe(0);
    const listed = (JSON.parse(out) as { investigations: unknown[] }).investigations.map((p) =>
      PastIncident.parse(p),
    );
    expect(listed.map((p) => p.runId)).toEqual([...runs].reverse());
    expect(listed.every((p) => p.category === 'image_pull' && p.outcome === 'proposed')).toBe(true);

    const fourth = await runCliHuman('diagnose', 'deployment/hist', { namespace: ns }, cliEnv());
    expect(fourth.code).toBe(0);
    expect(fourth.stdout).toMatch(/Seen before: seen 3 times in 30 days; last time: /);

    const reply = await slash(h, `history deployment/hist -n ${ns}`);
    expect(reply.status).toBe(200);
    const answer = await h.slack.waitForResponse((r) => JSON.stringify(r.body).includes('History'), 10_000);
    expect(answer.body.response_type).toBe('ephemeral');
    expect(JSON.stringify(answer.body).match(/\|MLflow run>/g)).toHaveLength(4);
  });
});

describe('MLflow down', () => {
  it('no history line, no feedback buttons, same Slack flow and exit codes', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const down = await startHarness({
      env: { AUTOFIX_NAMESPACES: ns, MLFLOW_TRACKING_URI: dead },
      worker: true,
    });
    try {
      const asked = await askForFix(down, ns, 'down');
      expect(buttonsOf(asked.proposal)).toEqual({
        autofix_approve: asked.proposalId,
        autofix_reject: asked.proposalId,
      });
      expect(textOf(asked.proposal)).not.toContain('Seen before');
      expect((await down.store.get(asked.proposalId))!.runId).toBeNull();
      await slash(down, `history deployment/down -n ${ns}`);
      const said = await down.slack.waitForResponse(
        (r) => JSON.stringify(r.body).includes('History is unavailable'),
        10_000,
      );
      expect(said.body.response_type).toBe('ephemeral');
    } finally {
      await down.close();
    }
    const env = { AUTOFIX_NAMESPACES: ns, MLFLOW_TRACKING_URI: dead, MLFLOW_EXPERIMENT_NAME: EXPERIMENT };
    const r = await runCliHuman('diagnose', 'deployment/hist', { namespace: ns }, env);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('Seen before');
    const code = await runHistoryCommand(
      'deployment/hist',
      { namespace: ns },
      { stdout: () => undefined, stderr: () => undefined, env, isTty: false, confirm: async () => false },
    );
    expect(code).toBe(3);
  });
});
