// `kube-autofix start` as a real process: config errors name the variable, /healthz and /metrics, a command end to end, SIGTERM.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployment, waitAvailable, type Kube, useNamespace } from './support/kube.js';
import { freePort } from '../../tools/stand-ins/redis-server.js';
import {
  CHANNEL,
  REQUESTER,
  SIGNING_SECRET,
  deletePrefix,
  parentMessages,
  startHarness,
  type Harness,
} from './support/slack-harness.js';
import { waitFor } from './support/wait-for.js';

const ROOT = resolve(import.meta.dirname, '../..');
let k: Kube;
let ns: string;
let h: Harness;

useNamespace('start', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  await k.apps.createNamespacedDeployment({
    namespace: ns,
    body: deployment('fine', { image: 'nginx:1.27' }),
  });
  await waitAvailable(k, ns, 'fine');
  // Only the stand-in and the env of the harness are used; the bot and worker are the child process.
  h = await startHarness({ bot: false, env: { AUTOFIX_NAMESPACES: ns } });
});

afterAll(async () => {
  await h?.close();
});

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exit, out: () => out, err: () => err };
}

describe('kube-autofix bot / worker / start', () => {
  it('names the missing variable and exits 2 before starting anything', async () => {
    const { SLACK_SIGNING_SECRET: _drop, ...env } = h.env;
    const bot = run(['bot'], env);
    expect(await bot.exit).toBe(2);
    expect(bot.err()).toMatch(/SLACK_SIGNING_SECRET is required for `kube-autofix bot`/);
    const { SLACK_BOT_TOKEN: _token, ...noToken } = h.env;
    const worker = run(['worker'], noToken);
    expect(await worker.exit).toBe(2);
    expect(worker.err()).toMatch(/SLACK_BOT_TOKEN is required for `kube-autofix worker`/);
    // A token Slack refuses is a configuration error too, found at start rather than on the first click.
    const wrong = run(['bot', '--port', '0'], { ...h.env, SLACK_BOT_TOKEN: 'xoxb-not-the-right-one' });
    expect(await wrong.exit).toBe(2);
    expect(wrong.err()).toMatch(/SLACK_BOT_TOKEN was refused by Slack \(invalid_auth\)/);
    expect(wrong.err()).not.toContain('xoxb-not-the-right-one');
  });

  it('start: serves /healthz and /metrics, answers /autofix end to end, stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const svc = run(['start', '--port', String(port)], { ...h.env, LOG_LEVEL: 'info' });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => null))?.status === 200, {
        what: 'start to listen',
        timeoutMs: 60_000,
        intervalMs: 200,
      });
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true, redis: 'up' });

      const reply = await h.slack.sendSlashCommand(`${base}/slack/events`, SIGNING_SECRET, {
        text: `deployment/fine -n ${ns}`,
        user_id: REQUESTER,
        channel_id: CHANNEL,
      });
      expect(reply.status).toBe(200);
      expect(reply.ms).toBeLessThan(3000);
      const parent = await h.slack.waitFor(() => parentMessages(h)[0], 10_000, 'the parent message');
      await h.slack.waitFor(
        () => h.slack.messagesIn(CHANNEL, parent.ts).find((m) => /Healthy: nothing to fix/.test(m.text)),
        60_000,
        'the healthy outcome',
      );

      // The job counts as completed just after its last message.
      const metrics = await waitFor(
        async () => {
          const text = await (await fetch(`${base}/metrics`)).text();
          return /autofix_jobs_total\{name="investigate",outcome="completed"\} 1/.test(text) ? text : null;
        },
        { what: 'the completed job in /metrics', timeoutMs: 10_000, intervalMs: 100 },
      );
      expect(metrics).toMatch(/autofix_commands_total\{result="enqueued"\} 1/);
      expect(metrics).toMatch(/autofix_jobs_total\{name="investigate",outcome="completed"\} 1/);
      expect(metrics).toMatch(/autofix_investigation_duration_seconds_count\{outcome="healthy"\} 1/);
      expect(metrics).toMatch(/autofix_process_cpu_seconds_total/);

      svc.child.kill('SIGTERM');
      expect(await svc.exit).toBe(0);
      expect(svc.err()).toMatch(/"msg":"stopped"/);
      expect(svc.out()).toBe('');
      // Logs are structured and never carry the bot token or the signing secret.
      expect(svc.err()).not.toContain(h.env.SLACK_BOT_TOKEN);
      expect(svc.err()).not.toContain(SIGNING_SECRET);
    } finally {
      svc.child.kill('SIGKILL');
      await deletePrefix(h.redis, h.prefix);
    }
  });
});
