// History answers: bad input and MLflow off get clear errors (nothing read); entries render newest first.
import { describe, expect, it } from 'vitest';
import { renderHistory, runHistoryCommand } from '../../src/cli/history-command.js';
import { createLogger } from '../../src/observability/logger.js';
import { buildHistoryMessage } from '../../src/slack/blocks/history-message.js';
import { answerHistory, isHistoryCommand } from '../../src/slack/history-command.js';
import type { PastIncident } from '../../src/tracking/past-incidents.js';
import { slackBlockProblems } from '../../tools/local-slack/slack-stand-in.js';

const target = { kind: 'Deployment' as const, name: 'web', namespace: 'shop' };
const entry = (startedAt: number, over: Partial<PastIncident> = {}): PastIncident => ({
  runId: `r${startedAt}`,
  runUrl: `http://mlflow.test/#/experiments/1/runs/r${startedAt}`,
  startedAt,
  category: 'oom_killed',
  outcome: 'fixed',
  rootCause: 'OOMKilled at 64Mi',
  change: 'raise the memory limit to 128Mi',
  approvedBy: 'U0ALICE',
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
          config: { namespaces: ['shop'], slack: { channelNamespaces: {} } } as never,
          history: history
            ? async () => {
                read += 1;
                return history();
              }
            : null,
          logger: createLogger('silent'),
        },
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
