// POST /alerts/alertmanager: check the token, read and validate the body, one atomic Redis step, enqueue, answer.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertsConfig, Config } from '../../config/config.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { AlertIncidents, ItemResult } from '../../queue/alert-incidents.js';
import { LISTED_PER_CHANNEL, type AlertJob, type AlertQueue } from '../../queue/alert-queue.js';
import { checkPayload, type AlertmanagerPayload } from './alertmanager-payload.js';
import { planAlerts, type PlannedItem } from './alert-plan.js';
import { bearerMatches } from './bearer-token.js';
import { readBody } from './read-body.js';

export const ALERTS_PATH = '/alerts/alertmanager';
/** 1,000 kube-prometheus alerts are about 1.5 MB; Alertmanager's `max_alerts` keeps a webhook under it. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface AlertReceiverDeps {
  config: { alerts: AlertsConfig; namespaces: Config['namespaces']; cluster: Config['cluster'] };
  incidents: Pick<AlertIncidents, 'step' | 'undo'>;
  queue: Pick<AlertQueue, 'add'>;
  metrics: Metrics;
  logger: Logger;
  now?: () => number;
}

type Outcome = 'accepted' | 'duplicate' | 'unauthorized' | 'too_large' | 'invalid' | 'unavailable';

function answer(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  extra: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...extra });
  res.end(JSON.stringify(body));
}

/** Groups listed alerts per channel, at most LISTED_PER_CHANNEL each, the rest counted. */
function perChannel<T>(
  entries: Array<{ channel: string; item: T }>,
): Array<{ channel: string; total: number; items: T[] }> {
  const by = new Map<string, { channel: string; total: number; items: T[] }>();
  for (const { channel, item } of entries) {
    const g = by.get(channel) ?? { channel, total: 0, items: [] };
    g.total += 1;
    if (g.items.length < LISTED_PER_CHANNEL) g.items.push(item);
    by.set(channel, g);
  }
  return [...by.values()];
}

/** The step's results → what the alert job carries out; null when there is nothing to do. */
export function jobFrom(
  payload: AlertmanagerPayload,
  planned: readonly PlannedItem[],
  results: readonly ItemResult[],
  defaultChannel: string,
  receivedAt: string,
): AlertJob | null {
  const open: AlertJob['open'] = [];
  const touched = new Set<string>();
  const refired = new Set<string>();
  const resolved = new Set<string>();
  const storm: Array<{ channel: string; item: AlertJob['storm'][number]['items'][number] }> = [];
  const unresolvable: Array<{ channel: string; item: AlertJob['unresolvable'][number]['items'][number] }> =
    [];
  const refusedNs = new Set<string>();
  let sayRefusal = false;
  planned.forEach((p, i) => {
    const r = results[i];
    if (p.kind === 'refused') {
      refusedNs.add(p.namespace);
      if (r === 'say') sayRefusal = true;
    } else if (p.kind === 'unresolvable') {
      if (r === 'say')
        unresolvable.push({ channel: p.channel, item: { alertname: p.alertname, why: p.why } });
    } else if (r === 'open') {
      open.push({
        incident: p.item.incident,
        cluster: p.cluster,
        ref: p.ref,
        channel: p.channel,
        trigger: p.trigger,
      });
    } else if (r === 'storm') {
      storm.push({ channel: p.channel, item: { ref: p.ref, alertname: p.trigger.alertname } });
    } else if (r === 'repeat' || r === 'update' || r === 'refired' || r === 'resolved') {
      touched.add(p.item.incident);
      if (r === 'refired') refired.add(p.item.incident);
      if (r === 'resolved') resolved.add(p.item.incident);
    }
  });
  const opened = new Set(open.map((o) => o.incident));
  const job: AlertJob = {
    receivedAt,
    receiver: payload.receiver,
    groupKey: payload.groupKey.slice(0, 2000),
    open,
    touched: [...touched].filter((k) => !opened.has(k)),
    refired: [...refired],
    resolved: [...resolved],
    storm: perChannel(storm),
    unresolvable: perChannel(unresolvable),
    refused: sayRefusal ? { channel: defaultChannel, namespaces: [...refusedNs].sort().slice(0, 50) } : null,
    truncatedAlerts: payload.truncatedAlerts,
  };
  const empty =
    job.open.length + job.touched.length + job.storm.length + job.unresolvable.length === 0 && !job.refused;
  return empty ? null : job;
}

function count(metrics: Metrics, planned: readonly PlannedItem[], results: readonly ItemResult[]): void {
  planned.forEach((p, i) => {
    const r = results[i]!;
    const outcome =
      p.kind === 'refused' ? 'refused_namespace' : p.kind === 'unresolvable' ? 'unresolvable' : r;
    metrics.alerts.inc({ outcome });
  });
}

export function createAlertReceiver(
  deps: AlertReceiverDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { alerts } = deps.config;
  const now = deps.now ?? Date.now;
  return async (req, res) => {
    const t0 = performance.now();
    const done = (
      outcome: Outcome,
      status: number,
      body: Record<string, unknown>,
      headers?: Record<string, string>,
    ): void => {
      answer(res, status, body, headers);
      deps.metrics.alertWebhooks.inc({ result: outcome });
      deps.metrics.alertWebhookSeconds.observe({ result: outcome }, (performance.now() - t0) / 1000);
    };
    if (!bearerMatches(req.headers.authorization, alerts.token)) {
      req.resume();
      deps.logger.warn(
        { remote: req.socket.remoteAddress },
        'alert webhook refused: wrong or missing bearer token',
      );
      return done(
        'unauthorized',
        401,
        { error: 'unauthorized', message: 'Authorization: Bearer <AUTOFIX_ALERTS_TOKEN> is required.' },
        {
          'www-authenticate': 'Bearer',
        },
      );
    }
    const read = await readBody(req, MAX_BODY_BYTES);
    if (!read.ok) {
      if (read.reason === 'aborted') return;
      return done(
        'too_large',
        413,
        {
          error: 'too_large',
          message: `The body is over ${MAX_BODY_BYTES} bytes; set max_alerts on the webhook receiver.`,
        },
        { connection: 'close' },
      );
    }
    const check = checkPayload(read.body);
    if (!check.ok) {
      deps.logger.warn({ field: check.field, why: check.message }, 'alert webhook refused: invalid payload');
      return done('invalid', 400, {
        error: 'invalid_payload',
        field: check.field,
        message: `${check.field} ${check.message}`,
      });
    }
    const payload = check.payload;
    const plan = planAlerts(payload, alerts, deps.config.namespaces, deps.config.cluster);
    const at = now();
    const notification = createHash('sha256').update(read.body).digest('hex').slice(0, 40);
    const jobId = `alert__${notification}-${at}`;
    const log = deps.logger.child({ alertJob: jobId, groupKey: payload.groupKey.slice(0, 200) });
    let stepped;
    try {
      stepped = await deps.incidents.step(
        plan.items.map((p) => p.item),
        {
          notification,
          jobId,
          now: at,
          cooldownMs: alerts.cooldownSeconds * 1000,
          maxPerMinute: alerts.maxPerMinute,
        },
      );
    } catch (e) {
      log.error({ err: e instanceof Error ? e.message : String(e) }, 'alert webhook: Redis step failed');
      return done('unavailable', 503, {
        error: 'unavailable',
        message: 'Redis is unreachable; Alertmanager will retry.',
      });
    }
    if (stepped.duplicate) return done('duplicate', 200, { status: 'duplicate' });
    const job = jobFrom(
      payload,
      plan.items,
      stepped.results,
      plan.defaultChannel,
      new Date(at).toISOString(),
    );
    if (job) {
      try {
        await deps.queue.add(job, jobId);
      } catch (e) {
        const opened = job.open.map((o) => o.incident);
        const said = plan.items.flatMap((p, i) =>
          p.kind !== 'alert' && stepped.results[i] === 'say' ? [p.item.key] : [],
        );
        await deps.incidents.undo({ notification, jobId }, opened, said).catch(() => undefined);
        log.error(
          { err: e instanceof Error ? e.message : String(e) },
          'alert webhook: could not enqueue; undone',
        );
        return done('unavailable', 503, {
          error: 'unavailable',
          message: 'The alert queue is unreachable; Alertmanager will retry.',
        });
      }
    }
    count(deps.metrics, plan.items, stepped.results);
    const summary = {
      alerts: payload.alerts.length,
      investigations: job?.open.length ?? 0,
      updated: job?.touched.length ?? 0,
      notInvestigated: job?.storm.reduce((n, g) => n + g.total, 0) ?? 0,
    };
    log.info(summary, 'alert webhook accepted');
    done('accepted', 200, { status: 'accepted', ...summary });
  };
}
