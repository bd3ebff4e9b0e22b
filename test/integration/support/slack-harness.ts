// Runs the real bot (and optionally a worker) in-process against the Slack stand-in and the sandbox's Redis.
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig, type Config } from '../../../src/config/config.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetrics, type Metrics } from '../../../src/observability/metrics.js';
import { QUEUE_NAME } from '../../../src/queue/jobs.js';
import { keySpace } from '../../../src/queue/key-space.js';
import { createRedisConnection, type RedisConnection } from '../../../src/queue/redis-connection.js';
import {
  announceWorker,
  type Announcement,
  type RegistrationInput,
} from '../../../src/queue/worker-registry.js';
import { createRedisProposalStore } from '../../../src/store/redis-proposal-store.js';
import type { ProposalStore } from '../../../src/workflow/proposal-store.js';
import { runBot, type RunningService } from '../../../src/cli/run-bot.js';
import { runWorker, type RunningWorker } from '../../../src/cli/run-worker.js';
import {
  blockActionPayload,
  startSlackStandIn,
  type BotReply,
  type SignOptions,
  type SlackStandIn,
  type StoredMessage,
} from '../../../tools/stand-ins/local-slack/slack-stand-in.js';
import {
  startSocketModeStandIn,
  type SocketModeStandIn,
} from '../../../tools/stand-ins/local-slack/slack-socket-mode-stand-in.js';
import { deletePrefix } from '../../../tools/demo/delete-prefix.js';
import { sandboxEnv } from '../sandbox-env.js';

export { deletePrefix };

export const SIGNING_SECRET = 'harness-signing-secret';
export const APPROVER = 'U0APPROVER';
export const GROUP_MEMBER = 'U0GROUPIE';
export const OUTSIDER = 'U0OUTSIDER';
export const REQUESTER = 'U0REQUESTER';
export const CHANNEL = 'C0OPS';

export interface Harness {
  slack: SlackStandIn;
  /** The cluster its bot routes to by default and its worker serves (AUTOFIX_CLUSTER, default `default`). */
  cluster: string;
  /** Set in Socket Mode: commands and clicks travel as envelopes over its WebSocket instead of HTTP. */
  socket: SocketModeStandIn | null;
  prefix: string;
  config: Config;
  env: Record<string, string>;
  /** An inspection connection (not the bot's): the sandbox's Redis, or the Redis Cluster REDIS_MODE names. */
  redis: RedisConnection;
  store: ProposalStore;
  /** The queue of `cluster`. */
  queue: Queue;
  /** The queue of another cluster (closed with the harness). */
  queueOf(cluster: string): Queue;
  /**
   * Registers a worker for `cluster` that consumes nothing (the bot then routes there): for tests of the bot
   * and the queue alone. Its registration is withdrawn by the returned stop, or at close.
   */
  announce(cluster?: string, over?: Partial<RegistrationInput>): Promise<Announcement>;
  metrics: Metrics;
  bot: RunningService | null;
  botUrl: string;
  worker: RunningWorker | null;
  startWorker(): Promise<RunningWorker>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Extra environment (AUTOFIX_NAMESPACES, AUTOFIX_PROPOSAL_TTL…). */
  env?: Record<string, string>;
  bot?: boolean;
  worker?: boolean;
  /** Point the bot at this Redis instead of the sandbox's. */
  redisUrl?: string;
  /** Run the bot in Socket Mode (SLACK_APP_TOKEN) against the Socket Mode stand-in. */
  socketMode?: boolean;
  /** The bot's HTTP port; default 0 (any free one). Socket Mode does not report the port it bound. */
  botPort?: number;
  /** Register a consuming-nothing worker for the harness's cluster at start (see `announce`). */
  announce?: boolean;
}

const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const fastSlack = { retries: 2, minTimeoutMs: 50, timeoutMs: 5000 };

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const sandbox = sandboxEnv();
  const socket = opts.socketMode ? await startSocketModeStandIn() : null;
  const slack = await startSlackStandIn({
    usergroups: { S0APPROVERS: [GROUP_MEMBER] },
    ...(socket ? { appToken: socket.appToken, socketMode: socket } : {}),
  });
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const env: Record<string, string> = {
    REDIS_URL: opts.redisUrl ?? sandbox.REDIS_URL,
    KUBECONFIG: sandbox.KUBECONFIG,
    MLFLOW_TRACKING_URI: sandbox.MLFLOW_TRACKING_URI,
    MLFLOW_EXPERIMENT_NAME: 'kube-autofix-slack-tests',
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    AUTOFIX_APPROVERS: `${APPROVER},S0APPROVERS`,
    AUTOFIX_QUEUE_PREFIX: prefix,
    AUTOFIX_NAMESPACES: 'shop',
    AUTOFIX_ROLLOUT_TIMEOUT: '90s',
    AUTOFIX_JOB_LOCK: '5s',
    ...(socket ? { SLACK_APP_TOKEN: socket.appToken } : {}),
    ...opts.env,
  };
  const config = loadConfig(env);
  const redis: RedisConnection =
    config.redis.mode === 'cluster'
      ? createRedisConnection(config.redis, 'producer')
      : new Redis(sandbox.REDIS_URL, { maxRetriesPerRequest: 1 });
  const metrics = createMetrics({ defaults: false });
  const keys = keySpace(prefix);
  const queues = new Map<string, Queue>();
  const queueOf = (cluster: string): Queue => {
    const known = queues.get(cluster);
    if (known) return known;
    const q = new Queue(QUEUE_NAME, { connection: redis, prefix: keys.cluster(cluster).prefix });
    queues.set(cluster, q);
    return q;
  };
  const announced: Announcement[] = [];
  const bot =
    opts.bot === false
      ? null
      : await runBot(config, logger, metrics, {
          port: opts.botPort ?? 0,
          clientSettings: fastSlack,
          // Every command reads the registrations afresh: a test that stops and starts workers sees it at once.
          directoryTtlMs: 0,
        });
  const h: Harness = {
    slack,
    socket,
    cluster: config.cluster,
    prefix,
    config,
    env,
    redis,
    store: createRedisProposalStore(redis, keys),
    queue: queueOf(config.cluster),
    queueOf,
    async announce(cluster = config.cluster, over = {}) {
      const a = await announceWorker(
        redis,
        keys,
        {
          cluster,
          version: 'test',
          namespaces: config.namespaces,
          engine: 'none (announced by the test)',
          concurrency: 1,
          heartbeatMs: config.queue.heartbeatMs,
          ...over,
        },
        logger,
      );
      announced.push(a);
      return a;
    },
    metrics,
    bot,
    botUrl: bot && !socket ? `http://127.0.0.1:${bot.port}/slack/events` : '',
    worker: null,
    async startWorker() {
      h.worker = await runWorker(config, logger, metrics, {
        clientSettings: fastSlack,
        progressIntervalMs: 200,
        rolloutPollMs: 500,
        graceMs: 5000,
      });
      return h.worker;
    },
    async close() {
      await h.worker?.stop();
      for (const a of announced) await a.stop();
      await bot?.stop();
      for (const q of queues.values()) await q.close();
      await deletePrefix(redis, prefix);
      redis.disconnect();
      await socket?.close();
      await slack.close();
    },
  };
  if (opts.announce) await h.announce();
  if (opts.worker) await h.startWorker();
  return h;
}

/** A signed `/autofix <text>` from `user` in `channel`. */
export function slash(
  h: Harness,
  text: string,
  user = REQUESTER,
  channel = CHANNEL,
  sign: SignOptions = {},
): Promise<BotReply> {
  if (h.socket)
    return h.socket.sendSlashCommand({
      text,
      user_id: user,
      channel_id: channel,
      response_url: h.slack.responseUrl(),
    });
  return h.slack.sendSlashCommand(
    h.botUrl,
    SIGNING_SECRET,
    { text, user_id: user, channel_id: channel },
    sign,
  );
}

/** A signed click on one of our buttons; returns the reply and the response_url id the bot answers on. */
export async function click(
  h: Harness,
  actionId: string,
  proposalId: string,
  user: string,
  where: { channel: string; messageTs: string; threadTs?: string },
): Promise<{ reply: BotReply; responseId: string }> {
  const responseId = `click-${randomBytes(4).toString('hex')}`;
  const payload = blockActionPayload({
    actionId,
    value: proposalId,
    userId: user,
    channelId: where.channel,
    messageTs: where.messageTs,
    threadTs: where.threadTs,
    responseUrl: h.slack.responseUrl(responseId),
  });
  const reply = h.socket
    ? await h.socket.sendInteractive(payload)
    : await h.slack.sendBlockAction(h.botUrl, SIGNING_SECRET, payload);
  return { reply, responseId };
}

/** The button values (proposal ids) by action_id found in a message's blocks. */
export function buttonsOf(m: { blocks: unknown[] } | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const b of (m?.blocks ?? []) as Array<{
    type?: string;
    elements?: Array<{ action_id?: string; value?: string }>;
  }>) {
    if (b.type !== 'actions') continue;
    for (const e of b.elements ?? []) if (e.action_id && e.value) out[e.action_id] = e.value;
  }
  return out;
}

/** The Helpful / Not helpful buttons a message carries when its investigation has an MLflow run. */
export function feedbackButtons(runId: string | null): Record<string, string> {
  return runId ? { autofix_feedback_up: runId, autofix_feedback_down: runId } : {};
}

/** All text of a message (fallback and every block), for assertions. */
export function textOf(m: { text: string; blocks: unknown[] } | undefined): string {
  return m ? `${m.text}\n${JSON.stringify(m.blocks)}` : '';
}

/** Thread replies carrying an Approve button (the proposal messages). */
export function proposalsIn(h: Harness, channel: string, threadTs: string): StoredMessage[] {
  return h.slack
    .messagesIn(channel, threadTs)
    .filter((m) => m.versions.some((v) => buttonsOf(v).autofix_approve));
}

/** The parent message of the newest investigation in `channel`. */
export function parentMessages(h: Harness, channel = CHANNEL): StoredMessage[] {
  return h.slack.messagesIn(channel, null);
}
