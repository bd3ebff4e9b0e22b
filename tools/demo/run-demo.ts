// `npm run demo`: kube-autofix as a team meets it — bot, worker, queue, threads, buttons, MLflow — on a local Slack.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Command } from 'commander';
import { Redis } from 'ioredis';
import { AutofixError, ErrorCode, isAutofixError } from '../../src/domain/errors.js';
import { serveLocalSlack } from '../stand-ins/local-slack/local-slack-web.js';
import { chromiumPath } from '../stand-ins/local-slack/local-slack-page.js';
import { startSlackStandIn, type SlackStandIn } from '../stand-ins/local-slack/slack-stand-in.js';
import { startDemoBot, type DemoBot } from './demo-bot.js';
import {
  APPROVER,
  BYSTANDER,
  DEMO_CHANNEL,
  DEMO_COMMAND,
  DEMO_EXPERIMENT,
  DEMO_NAMESPACE,
  DEMO_QUEUE_PREFIX,
  DEMO_USERS,
  ONCALL,
} from './demo-cast.js';
import { CRASHING_RELEASE, stageBrokenRelease, stageCrashingRelease, webIsHealthy } from './demo-cluster.js';
import { startDemoAlerting, type DemoAlerting } from './demo-alerting.js';
import { deletePrefix } from './delete-prefix.js';
import { driveDemo } from './drive-demo.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const say = (line: string): void => void process.stderr.write(`\x1b[1m[demo]\x1b[0m ${line}\n`);

interface DemoOptions {
  auto?: boolean;
  llm?: boolean;
  port: string;
}

function need(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new AutofixError(ErrorCode.ConfigInvalid, `${name} is not set.`, {
      hint: 'Run the demo with `npm run demo`: it starts the sandbox and sources .sandbox/env.',
    });
  return v;
}

/** The bot's environment: the sandbox, the local Slack, demo-only keys and experiment; the LLM only with --llm. */
function botEnv(
  slack: SlackStandIn,
  secret: string,
  alertsToken: string,
  llm: boolean,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    KUBECONFIG: need('KUBECONFIG'),
    REDIS_URL: need('REDIS_URL'),
    MLFLOW_TRACKING_URI: need('MLFLOW_TRACKING_URI'),
    MLFLOW_EXPERIMENT_NAME: DEMO_EXPERIMENT,
    SLACK_API_URL: slack.apiUrl,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: secret,
    SLACK_APP_TOKEN: undefined,
    AUTOFIX_APPROVERS: APPROVER.id,
    AUTOFIX_NAMESPACES: DEMO_NAMESPACE,
    AUTOFIX_CHANNEL_NAMESPACES: `${DEMO_CHANNEL.id}=${DEMO_NAMESPACE}`,
    AUTOFIX_QUEUE_PREFIX: DEMO_QUEUE_PREFIX,
    // The alert scene: Alertmanager's webhook receiver is this bot, and its threads go to the same channel.
    AUTOFIX_ALERTS_TOKEN: alertsToken,
    AUTOFIX_ALERT_ROUTES: `*=${DEMO_CHANNEL.id}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  if (!llm) {
    env.OPENAI_API_KEY = undefined;
    env.OPENAI_BASE_URL = undefined;
  } else if (!process.env.OPENAI_API_KEY) {
    throw new AutofixError(ErrorCode.ConfigInvalid, '--llm needs OPENAI_API_KEY.', {
      hint: 'Export it (and OPENAI_BASE_URL for an OpenAI-compatible endpoint), or run without --llm.',
    });
  }
  return env;
}

async function startSlack(port: number): Promise<SlackStandIn> {
  try {
    return await startSlackStandIn({ port });
  } catch (e) {
    if ((e as { code?: string }).code !== 'EADDRINUSE') throw e;
    say(`port ${port} is in use; the local Slack takes a free one`);
    return startSlackStandIn();
  }
}

/** A previous run's queue, proposals and "already running" markers would confuse this one. */
async function resetDemoKeys(): Promise<void> {
  const redis = new Redis(need('REDIS_URL'), { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    await deletePrefix(redis, DEMO_QUEUE_PREFIX);
  } finally {
    redis.disconnect();
  }
}

function instructions(pageUrl: string, bot: DemoBot): string {
  return [
    '',
    `  Local Slack   ${pageUrl}`,
    `  1. As ${ONCALL.name} (${ONCALL.role}) type   ${DEMO_COMMAND}`,
    '     The thread fills in: progress, then the proposal with its diff, validation and Approve/Reject.',
    `  2. Switch "Acting as" to ${BYSTANDER.name} (${BYSTANDER.role}) and click Approve: refused, and only ${BYSTANDER.name} sees why.`,
    `  3. Switch to ${APPROVER.name} (${APPROVER.role}) and click Approve: applied, rollout watched, a Rollback button.`,
    `  4. Break it again without typing in Slack:   ${process.env.SANDBOX_KUBECTL ?? 'kubectl'} ${CRASHING_RELEASE.join(' ')}`,
    '     Prometheus fires KubePodCrashLooping, Alertmanager calls kube-autofix, and a thread opens by itself.',
    `  MLflow        ${process.env.MLFLOW_TRACKING_URI ?? ''} (experiment ${DEMO_EXPERIMENT}; each proposal links its run)`,
    `  Logs          ${bot.logFile}`,
    '',
  ].join('\n');
}

const STOP_NOTE =
  'Ctrl-C stops the bot, the worker and the local Slack. The sandbox keeps running: `npm run sandbox:down` stops it.';

async function checkRun(runUrl: string | null): Promise<void> {
  if (!runUrl) throw new AutofixError(ErrorCode.TrackingFailed, 'The proposal has no MLflow run link.');
  const runId = /\/runs\/([0-9a-f]+)/.exec(runUrl)?.[1];
  const page = await fetch(runUrl);
  const api = await fetch(`${need('MLFLOW_TRACKING_URI')}/api/2.0/mlflow/runs/get?run_id=${runId ?? ''}`);
  if (!page.ok || !api.ok)
    throw new AutofixError(
      ErrorCode.TrackingFailed,
      `The MLflow run ${runUrl} does not answer (${page.status}/${api.status}).`,
      {
        hint: 'Check the sandbox: bash sandbox/scripts/status.sh.',
      },
    );
  say(`MLflow run: ${runUrl} (answers ${page.status}; the run is recorded)`);
}

async function auto(pageUrl: string): Promise<number> {
  if (!existsSync(chromiumPath()))
    throw new AutofixError(ErrorCode.ConfigInvalid, `--auto needs Chromium at ${chromiumPath()}.`, {
      hint: "Install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH.",
    });
  const driven = await driveDemo(pageUrl, say, () => stageCrashingRelease(say));
  process.stdout.write(`\n${driven.transcript}\n\n`);
  if (driven.alert) process.stdout.write(`── the thread an alert opened ──\n${driven.alert.transcript}\n\n`);
  const web = await webIsHealthy();
  say(
    `deployment/web in ${DEMO_NAMESPACE}: image ${web.image}, ${web.healthy ? 'rolled out and available' : 'NOT healthy'}`,
  );
  if (!driven.alert?.healed) say('the alert scene did not end healthy');
  await checkRun(driven.runUrl);
  return driven.healed && driven.alert?.healed && web.healthy ? 0 : 1;
}

/** Ctrl-C (or SIGTERM) ends the demo through its cleanup; resolves with the signal's name. */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** An interactive demo runs until Ctrl-C (see main), or until the bot stops by itself. */
async function waitForYou(bot: DemoBot, stopping: () => boolean): Promise<number> {
  say(`waiting for you in the browser. ${STOP_NOTE}`);
  await bot.exited;
  if (!stopping()) say(`kube-autofix stopped by itself; see ${bot.logFile}`);
  return 3;
}

function interruptedBy(signal: string): number {
  say(`interrupted (${signal})`);
  return 130;
}

/** Starts everything, then waits for you (TTY) or drives the page itself; Ctrl-C at any point cleans up. */
async function main(opts: DemoOptions): Promise<number> {
  const interactive = !opts.auto && process.stdin.isTTY && process.stdout.isTTY;
  let waiting = false;
  let stopping = false;
  const signal = untilSignal().then((name) => {
    stopping = true;
    return name;
  });
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new AutofixError(
      ErrorCode.BadInput,
      `--port must be an integer from 0 to 65535, got "${opts.port}".`,
    );
  const secret = randomBytes(16).toString('hex');
  const slack = await startSlack(port);
  const alertsToken = randomBytes(24).toString('hex');
  const started: { bot: DemoBot | null; alerting: DemoAlerting | null } = { bot: null, alerting: null };
  const run = async (): Promise<number> => {
    say(`starting kube-autofix (bot + worker, ${opts.llm ? 'LLM engine' : 'rule engine'}, MLflow on)`);
    const bot = await startDemoBot({
      root: ROOT,
      dir: join(ROOT, '.sandbox', 'demo'),
      env: botEnv(slack, secret, alertsToken, Boolean(opts.llm)),
      beforeStart: resetDemoKeys,
    });
    started.bot = bot;
    started.alerting = await startDemoAlerting({
      botUrl: bot.url,
      token: alertsToken,
      kubeconfig: need('KUBECONFIG'),
      namespace: DEMO_NAMESPACE,
      say,
    });
    const web = serveLocalSlack(slack, {
      bot: { url: bot.url, signingSecret: secret },
      channel: DEMO_CHANNEL,
      users: DEMO_USERS,
    });
    await stageBrokenRelease(say, join(ROOT, 'sandbox', 'scenarios', 'web-healthy.yaml'));
    process.stderr.write(instructions(web.url, bot));
    if (!interactive) return auto(web.url);
    waiting = true;
    return waitForYou(bot, () => stopping);
  };
  try {
    // Ctrl-C while you drive the page is the normal end; before that, or in --auto, it is an interruption.
    return await Promise.race([run(), signal.then((name) => (waiting ? 0 : interruptedBy(name)))]);
  } finally {
    say('stopping the bot, the worker, the alerting and the local Slack…');
    await started.alerting?.stop();
    await started.bot?.stop();
    await slack.close();
    say(
      interactive
        ? 'stopped. The sandbox keeps running: `npm run sandbox:down` stops it.'
        : STOP_NOTE.replace('Ctrl-C stops', 'Everything the demo started is stopped:'),
    );
  }
}

const program = new Command('demo')
  .description(
    'kube-autofix on a local Slack: a broken deployment, /autofix, approve, healthy; then an alert opens the next thread',
  )
  .option('--auto', 'drive the page with a headless Chromium (the default without a TTY)')
  .option('--llm', 'use the LLM engine (OPENAI_API_KEY, OPENAI_BASE_URL) instead of the rule engine')
  .option('--port <port>', 'port of the local Slack on 127.0.0.1', '3210')
  .action(async (opts: DemoOptions) => {
    const code = await main(opts).catch((e: unknown) => {
      say(`FAILED: ${isAutofixError(e) ? e.describe() : e instanceof Error ? e.message : String(e)}`);
      return isAutofixError(e) ? e.exitCode : 3;
    });
    // An interrupted step (a kubectl call, the browser) may still hold the event loop: end here.
    process.exit(code);
  });

await program.parseAsync();
