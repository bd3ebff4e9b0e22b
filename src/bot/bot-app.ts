// The Bolt app: /autofix, the proposal buttons and Investigate on POST /slack/events (or Socket Mode), plus /healthz and /metrics.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CustomRoute } from '@slack/bolt';
import { App, HTTPReceiver } from './bolt-runtime.js';
import type { Config } from '../config/config.js';
import { serveHealth, serveMetrics, type Pingable } from '../observability/health.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Producer } from '../queue/producer.js';
import type { Tracker } from '../tracking/tracker.js';
import type { ProposalStore } from '../workflow/proposal-store.js';
import { handleAutofixAction } from './action-handlers.js';
import { routeActions, type ActionHandler } from './action-router.js';
import type { ClusterDirectory } from './cluster-directory.js';
import { createAuthority } from '../slack/authority.js';
import type { Authority } from '../workflow/decision-checks.js';
import { boltLogger } from './bolt-logger.js';
import { handleAutofixCommand } from './command-handler.js';
import { registerFeedback } from './feedback-handler.js';
import { handleInvestigateClick } from './investigate-click.js';
import { AUTOFIX_ACTIONS, INVESTIGATE_ACTION } from '../slack/slack-payloads.js';
import type { BotIdentity } from './verify-bot-token.js';
import { ALERTS_PATH } from './alerts/alert-receiver.js';
import { createAlerts, type Alerts, type AlertsDeps } from './alerts/alerts.js';
import {
  createSlackPoster,
  webClientOptions,
  type PosterOptions,
  type WebClientSettings,
} from '../slack/slack-poster.js';

export interface BotAppDeps {
  config: Pick<Config, 'slack' | 'identity'>;
  /** The registered clusters (worker registrations in Redis, cached): routing and early refusals. */
  directory: ClusterDirectory;
  producer: Pick<
    Producer,
    'addInvestigation' | 'addApply' | 'addRollback' | 'addDecision' | 'addTriage' | 'addResolve'
  >;
  store: ProposalStore;
  /** Answers /healthz: the bot is healthy when Redis answers PING. */
  redis: Pingable;
  logger: Logger;
  metrics: Metrics;
  /** Who may decide (default: from the config — the allowlist, and in approver mode the identity file). */
  authority?: Authority;
  /** MLflow as the bot uses it: decision tags, feedback and history (the no-op tracker when tracking is off). */
  tracker: Tracker;
  /** The bot's ids from a start-up auth.test (verifyBotToken); without them Bolt calls auth.test itself. */
  identity?: BotIdentity;
  /** HTTP port (0 picks a free one); in Socket Mode only /healthz and /metrics listen on it. */
  port: number;
  clientSettings?: WebClientSettings;
  posterOptions?: PosterOptions;
  /** The Alertmanager receiver and its consumer; absent when AUTOFIX_ALERTS_TOKEN is unset (no route). */
  alerts?: AlertsDeps;
}

export interface BotApp {
  readonly app: App;
  readonly mode: 'http' | 'socket';
  /** Starts listening (or connects the socket); resolves with the HTTP port actually bound. */
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
}

export const EVENTS_PATH = '/slack/events';

function routes(deps: BotAppDeps, alerts: () => Alerts | null): CustomRoute[] {
  const fail = (res: Parameters<CustomRoute['handler']>[1]) => (e: unknown) => {
    deps.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'health/metrics route failed');
    if (!res.headersSent) res.writeHead(500);
    res.end();
  };
  return [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => void serveHealth(deps.redis, res).catch(fail(res)),
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => void serveMetrics(deps.metrics.registry, res).catch(fail(res)),
    },
    // Alertmanager calls it from inside the cluster, so it listens in Socket Mode too (on the routes' server).
    ...(deps.alerts
      ? [
          {
            path: ALERTS_PATH,
            method: ['POST'],
            handler: (req, res) => void alerts()?.handle(req, res).catch(fail(res)),
          } satisfies CustomRoute,
        ]
      : []),
  ];
}

// No conversation store (`convoStore: false`): no handler reads `context.conversation`, and Bolt's in-memory one
// costs every request a lookup and a thrown-and-caught "not found" error with its stack.
function construct(deps: BotAppDeps, alerts: () => Alerts | null): { app: App; mode: 'http' | 'socket' } {
  const { slack } = deps.config;
  const logger = boltLogger(deps.logger);
  const clientOptions = webClientOptions(slack, deps.clientSettings);
  const token = slack.botToken ?? undefined;
  // Known ids spare Bolt an auth.test whose failure at start it would cache for good.
  const ids = deps.identity ? { botId: deps.identity.botId, botUserId: deps.identity.botUserId } : {};
  if (slack.appToken) {
    // Socket Mode: no public URL and no signing secret; the routes get their own small HTTP server.
    const app = new App({
      token,
      ...ids,
      appToken: slack.appToken,
      socketMode: true,
      customRoutes: routes(deps, alerts),
      // The socket client opens its connection (apps.connections.open) on the same Slack API as the bot;
      // it keeps its own retry policy, which reconnects for as long as it takes.
      installerOptions: {
        port: deps.port,
        clientOptions: clientOptions.slackApiUrl ? { slackApiUrl: clientOptions.slackApiUrl } : {},
      },
      logger,
      clientOptions,
      convoStore: false,
    });
    return { app, mode: 'socket' };
  }
  const receiver = new HTTPReceiver({
    signingSecret: slack.signingSecret ?? '',
    endpoints: EVENTS_PATH,
    customRoutes: routes(deps, alerts),
    logger,
    // Answer Slack as soon as a handler acks; the rest of the handler runs after the response.
    processBeforeResponse: false,
  });
  return {
    app: new App({ token, ...ids, receiver, logger, clientOptions, convoStore: false }),
    mode: 'http',
  };
}

export function createBotApp(deps: BotAppDeps): BotApp {
  // The route exists before the app (Bolt takes routes at construction); the receiver needs the app's client.
  let alerts: Alerts | null = null;
  const { app, mode } = construct(deps, () => alerts);
  const poster = createSlackPoster(app.client, deps.logger, deps.posterOptions);
  if (deps.alerts) alerts = createAlerts(deps.alerts, poster);
  const authority = deps.authority ?? createAuthority(deps.config, app.client, deps.logger);
  const permalink = async (channel: string, ts: string): Promise<string | null> =>
    (await app.client.chat.getPermalink({ channel, message_ts: ts })).permalink ?? null;

  const commandDeps = {
    config: deps.config,
    directory: deps.directory,
    producer: deps.producer,
    poster,
    permalink,
    tracker: deps.tracker,
    metrics: deps.metrics,
    logger: deps.logger,
  };
  app.command('/autofix', handleAutofixCommand(commandDeps));
  const onClick = handleAutofixAction({
    store: deps.store,
    tracker: deps.tracker,
    authority,
    directory: deps.directory,
    selfApproval: deps.config.slack.selfApproval,
    applyAs: deps.config.identity.applyAs,
    twoPerson: deps.config.identity.twoPerson,
    clock: { now: Date.now },
    producer: deps.producer,
    poster,
    metrics: deps.metrics,
    logger: deps.logger,
  });
  routeActions(
    app,
    new Map<string, ActionHandler>([
      [INVESTIGATE_ACTION, handleInvestigateClick(commandDeps)],
      ...Object.values(AUTOFIX_ACTIONS).map((id): [string, ActionHandler] => [id, onClick]),
      ...registerFeedback(app, { tracker: deps.tracker, poster, logger: deps.logger }),
    ]),
  );
  app.error(async (e) => {
    deps.logger.error({ err: e.message, code: e.code }, 'unhandled error in a Slack handler');
  });

  return {
    app,
    mode,
    async start() {
      if (mode === 'socket') {
        await app.start();
        return { port: deps.port };
      }
      const server = (await app.start(deps.port)) as Server;
      return { port: (server.address() as AddressInfo).port };
    },
    async stop() {
      await app.stop();
      await alerts?.close();
    },
  };
}
