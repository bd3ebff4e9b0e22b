// History answers: bad input and MLflow off get clear errors (nothing read); entries render newest first;
// pod/replicaset targets need the cluster on the CLI, and the bot hands them to the worker (it reads no cluster).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHistory, runHistoryCommand } from '../../../src/cli/history-command.js';
import { createLogger } from '../../../src/observability/logger.js';
import { buildHistoryMessage } from '../../../src/slack/blocks/history-message.js';
import { answerHistory, isHistoryCommand } from '../../../src/bot/history-command.js';
import type { CommandContext } from '../../../src/slack/parse-command.js';
import { singleCluster } from '../../fixtures/command-context.js';
import type { PastIncident } from '../../../src/tracking/past-incidents.js';
import { slackBlockProblems } from '../../../tools/stand-ins/local-slack/slack-stand-in.js';
import { closedPort } from '../../../tools/stand-ins/mlflow-failure-server.js';

const target = { kind: 'Deployment' as const, name: 'web', namespace: 'shop' };
/** The bot's context for a history command: one cluster allowing `shop`. */
const botContext: CommandContext = {
  channelId: 'C1',
  channelNamespaces: {},
  chooseCluster: singleCluster(['shop']),
  answeredByBot: true,
  command: '/autofix',
};
const entry = (startedAt: number, over: Partial<PastIncident> = {}): PastIncident => ({
  runId: `r${startedAt}`,
  runUrl: `http://mlflow.test/#/experiments/1/runs/r${startedAt}`,
  startedAt,
  category: 'oom_killed',
  outcome: 'fixed',
  rootCause: 'OOMKilled at 64Mi',
  change: 'raise the memory limit to 128Mi',
  approvedBy: 'U0ALICE',
  approvals: null,
  appliedAs: null,
  timeToHealthySeconds: 40,
  threadUrl: 'https://slack.test/archives/C1/p1',
  engine: 'rules',
  ...over,
});

function io(env: Record<string, string>) {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: (s: string) => void (out.stdout += s),
      stderr: (s: string) => void (out.stderr += s),
      env,
      isTty: false,
      confirm: async () => false,
    },
  };
}

describe('kube-autofix history', () => {
  it('refuses a bad target, a bad --limit and a missing MLFLOW_TRACKING_URI with exit 2', async () => {
    const env = { AUTOFIX_NAMESPACES: 'shop', MLFLOW_TRACKING_URI: 'http://127.0.0.1:9' };
    const bad = io(env);
    expect(await runHistoryCommand('widget/web', { namespace: 'shop' }, bad.io)).toBe(2);
    const limit = io(env);
    expect(await runHistoryCommand('deployment/web', { namespace: 'shop', limit: '0' }, limit.io)).toBe(2);
    expect(limit.out.stderr).toMatch(/--limit must be an integer from 1 to 50/);
    const off = io({ AUTOFIX_NAMESPACES: 'shop' });
    expect(await runHistoryCommand('deployment/web', { namespace: 'shop', json: true }, off.io)).toBe(2);
    expect(off.out.stderr).toMatch(/MLFLOW_TRACKING_URI is not set/);
    expect(JSON.parse(off.out.stdout)).toHaveProperty('error');
  });

  it('renders entries with approver, time to healthy and links', () => {
    const text = renderHistory(target, [entry(Date.parse('2026-11-30T08:00:00Z'))]);
    expect(text).toContain('1 past investigation(s) of deployment/web in shop');
    expect(text).toMatch(/2026-11-30 08:00 +oom_killed +fixed +approved by U0ALICE +healthy in 40 s/);
    expect(text).toContain('https://slack.test/archives/C1/p1');
    expect(renderHistory(target, [])).toMatch(/No past investigations/);
  });

  it('approver mode: who approved (both, with two people) and as whom it was applied', () => {
    const twoPerson = entry(Date.parse('2026-11-30T08:00:00Z'), {
      approvedBy: 'U0ANA',
      approvals: 'U0PRIYA as priya@example.com (groups: sre); U0ANA as ana@example.com (groups: sre)',
      appliedAs: 'ana@example.com (groups: sre)',
    });
    const text = renderHistory(target, [twoPerson]);
    expect(text).toContain(
      'approved by U0ANA  approvals: U0PRIYA as priya@example.com (groups: sre); U0ANA as ana@example.com (groups: sre)  applied as ana@example.com (groups: sre)',
    );
    const slack = JSON.stringify(buildHistoryMessage(target, [twoPerson]).blocks);
    expect(slack).toContain('applied as ana@example.com (groups: sre)');
    // One approver, worker mode: no approvals list, no "applied as".
    expect(renderHistory(target, [entry(1)])).not.toMatch(/approvals:|applied as/);
  });
});

describe('/autofix history', () => {
  it('recognises the word and answers bad input and MLflow off ephemerally, reading nothing', async () => {
    expect(isHistoryCommand('history deployment/web')).toBe(true);
    expect(isHistoryCommand('deployment/history')).toBe(false);
    const said: unknown[] = [];
    let read = 0;
    const run = (text: string, history: (() => Promise<PastIncident[]>) | null) =>
      answerHistory(
        {
          command: { text, channel_id: 'C1', command: '/autofix' } as never,
          ack: (async () => undefined) as never,
          respond: (async (m: unknown) => void said.push(m)) as never,
        },
        {
          config: { slack: { channelNamespaces: {}, channelClusters: {} } } as never,
          tracker: {
            enabled: history !== null,
            history: async () => {
              read += 1;
              return history ? history() : [];
            },
          },
          producer: { addResolve: async () => Promise.reject(new Error('no resolution expected')) },
          logger: createLogger('silent'),
        },
        botContext,
      );
    await run('history', async () => []);
    await run('history deployment/web -n payments', async () => []);
    await run('history deployment/web -n shop', null);
    await run('history deployment/web -n shop', async () => {
      throw new Error('ECONNREFUSED');
    });
    const texts = said.map((m) => JSON.stringify(m));
    expect(texts[0]).toMatch(/ephemeral/);
    expect(texts[1]).toMatch(/payments/);
    expect(texts[2]).toMatch(/MLflow tracking is not configured/);
    expect(texts[3]).toMatch(/MLflow did not answer/);
    expect(read).toBe(1);
  });

  it('the history message lists newest first within Block Kit limits', () => {
    const m = buildHistoryMessage(
      target,
      Array.from({ length: 12 }, (_, i) => entry(1_800_000_000_000 - i * 1000)),
    );
    expect(slackBlockProblems(m.blocks)).toEqual([]);
    expect(JSON.stringify(m.blocks)).toContain('and 2 older');
    expect(JSON.stringify(m.blocks)).toContain('<@U0ALICE>');
  });
});

/** A kubeconfig whose API server refuses connections: the real transport meets a real ECONNREFUSED. */
async function unreachableKubeconfig(): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'history-kube-')), 'config');
  const server = `https://127.0.0.1:${await closedPort()}`;
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return file;
}

describe('kube-autofix history pod/<name> and replicaset/<name>', () => {
  it('says the cluster cannot be reached (exit 3) and how to ask for the workload instead', async () => {
    const mlflow = `http://127.0.0.1:${await closedPort()}`;
    const env = {
      AUTOFIX_NAMESPACES: 'shop',
      MLFLOW_TRACKING_URI: mlflow,
      KUBECONFIG: await unreachableKubeconfig(),
    };
    const run = io(env);
    const code = await runHistoryCommand(
      'pod/web-5d8c9f7b6d-x7k2p',
      { namespace: 'shop', json: true },
      run.io,
    );
    expect(code).toBe(3);
    expect(run.out.stderr).toMatch(
      /Cannot find the workload pod\/web-5d8c9f7b6d-x7k2p belongs to: Cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:\d+/,
    );
    expect(run.out.stderr).toContain('ask for it directly: kube-autofix history deployment/<name> -n shop');
    expect(JSON.parse(run.out.stdout).error).toMatch(/Cannot reach the Kubernetes API/);
  });

  it('refuses a namespace outside AUTOFIX_NAMESPACES before any cluster call, and kinds it cannot resolve', async () => {
    const env = {
      AUTOFIX_NAMESPACES: 'shop',
      MLFLOW_TRACKING_URI: 'http://127.0.0.1:9',
      KUBECONFIG: '/nonexistent',
    };
    const other = io(env);
    expect(await runHistoryCommand('rs/web-5d8c9f7b6d', { namespace: 'payments' }, other.io)).toBe(2);
    expect(other.out.stderr).toMatch(
      /replicaset\/web-5d8c9f7b6d belongs to: Namespace "payments" is not allowed/,
    );
    const job = io(env);
    expect(await runHistoryCommand('job/nightly', { namespace: 'shop' }, job.io)).toBe(2);
    expect(job.out.stderr).toMatch(/Unsupported kind "job"; supported: .*pod.*replicaset/);
  });

  it('a workload is read from MLflow only: an unreadable kubeconfig does not matter', async () => {
    const mlflow = `http://127.0.0.1:${await closedPort()}`;
    const run = io({ AUTOFIX_NAMESPACES: 'shop', MLFLOW_TRACKING_URI: mlflow, KUBECONFIG: '/nonexistent' });
    // The only failure is MLflow's (exit 3); the cluster is never asked.
    expect(await runHistoryCommand('deployment/web', { namespace: 'shop' }, run.io)).toBe(3);
    expect(run.out.stderr).not.toMatch(/kubeconfig|Kubernetes/i);
  });

  it('names the resolution before the history', () => {
    const from = { kind: 'Pod' as const, name: 'web-5d8c9f7b6d-x7k2p', namespace: 'shop' };
    const via = 'pod/web-5d8c9f7b6d-x7k2p → replicaset/web-5d8c9f7b6d → deployment/web';
    const text = renderHistory(target, [], { from, via });
    expect(text.split('\n')[0]).toBe(
      `pod/web-5d8c9f7b6d-x7k2p belongs to deployment/web (${via}); history of deployment/web:`,
    );
    expect(text).toMatch(/No past investigations of deployment\/web in shop/);
  });
});

describe('/autofix history pod/<name>', () => {
  async function ask(text: string, queue: 'up' | 'down' = 'up', mlflow: 'on' | 'off' = 'on') {
    const said: { text: string; response_type: string; blocks: unknown[] }[] = [];
    const enqueued: unknown[] = [];
    let read = 0;
    await answerHistory(
      {
        command: { text, channel_id: 'C1', user_id: 'U0ASKER', team_id: 'T1', command: '/autofix' } as never,
        ack: (async () => undefined) as never,
        respond: (async (m: never) => void said.push(m)) as never,
      },
      {
        config: { slack: { channelNamespaces: {}, channelClusters: {} } } as never,
        tracker: {
          enabled: mlflow === 'on',
          history: async () => {
            read += 1;
            return [];
          },
        },
        producer: {
          addResolve: async (job) => {
            if (queue === 'down') throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
            enqueued.push(job);
            return 'resolve__1';
          },
        },
        logger: createLogger('silent'),
      },
      botContext,
    );
    return { said, read, enqueued };
  }

  it('hands pod/ and rs/ to the worker as a history resolution and tells the requester, reading nothing itself', async () => {
    const pod = await ask('history pod/web-5d8c9f7b6d-x7k2p -n shop');
    const rs = await ask('history rs/web-5d8c9f7b6d -n shop');
    expect(pod.enqueued).toEqual([
      {
        cluster: 'default',
        then: 'history',
        ref: { kind: 'Pod', name: 'web-5d8c9f7b6d-x7k2p', namespace: 'shop' },
        requestedBy: 'U0ASKER',
        channel: 'C1',
        teamId: 'T1',
        requestedAt: expect.any(String),
      },
    ]);
    expect(rs.enqueued).toMatchObject([{ then: 'history', ref: { kind: 'ReplicaSet' } }]);
    for (const r of [pod, rs]) {
      expect(r.read).toBe(0);
      expect(r.said).toHaveLength(1);
      expect(r.said[0]!.response_type).toBe('ephemeral');
      expect(r.said[0]!.text).toMatch(
        /Looking up which workload .* belongs to; its history follows, only to you/,
      );
      expect(slackBlockProblems(r.said[0]!.blocks as never)).toEqual([]);
    }
  });

  it('a queue outage, MLflow off or a namespace the channel may not use: a clear answer, nothing enqueued', async () => {
    const down = await ask('history pod/web-5d8c9f7b6d-x7k2p -n shop', 'down');
    expect(down.enqueued).toEqual([]);
    expect(down.said[0]!.text).toMatch(
      /could not look up the workload right now \(its queue is unreachable\)/,
    );
    expect(JSON.stringify(down.said[0])).toContain('/autofix history deployment/&lt;name&gt; -n shop');
    const off = await ask('history pod/web-5d8c9f7b6d-x7k2p -n shop', 'up', 'off');
    expect(off.enqueued).toEqual([]);
    expect(off.said[0]!.text).toMatch(/MLflow tracking is not configured/);
    const other = await ask('history pod/web-5d8c9f7b6d-x7k2p -n payments');
    expect(other.enqueued).toEqual([]);
    expect(JSON.stringify(other.said[0])).toMatch(/payments/);
  });

  it('the history the worker posts names the resolution', () => {
    const via = 'pod/web-5d8c9f7b6d-x7k2p → replicaset/web-5d8c9f7b6d → deployment/web';
    for (const past of [[], [entry(1_800_000_000_000)]]) {
      const m = buildHistoryMessage(target, past, via);
      expect(slackBlockProblems(m.blocks)).toEqual([]);
      expect(JSON.stringify(m.blocks)).toContain(
        `${via}\`: history is kept per workload, so this is its history`,
      );
    }
    expect(JSON.stringify(buildHistoryMessage(target, []).blocks)).not.toContain(
      'history is kept per workload',
    );
  });
});
