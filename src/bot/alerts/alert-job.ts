// The bot's alert job: open each new incident's thread and start its investigation as /autofix does, then the
// notes (repeat counts, fired again, resolved, storm listings, refusals). Every step is safe to retry.
import type { Job } from 'bullmq';
import type { AlertsConfig } from '../../config/config.js';
import { isWorkloadRef } from '../../domain/index.js';
import type { Logger } from '../../observability/logger.js';
import type { AlertIncident, AlertIncidents } from '../../queue/alert-incidents.js';
import type { AlertJob, OpenIncident } from '../../queue/alert-queue.js';
import type { JobMessages } from '../../queue/job-messages.js';
import { postOnce } from '../../queue/post-once.js';
import type { Producer } from '../../queue/producer.js';
import type { ThreadIndex } from '../../queue/thread-index.js';
import { buildAlertParentMessage } from '../../slack/blocks/alert-parent-message.js';
import {
  buildAlertAlreadyRunningMessage,
  buildAlertRefiredMessage,
  buildAlertRefusedMessage,
  buildAlertResolvedMessage,
  buildAlertStormMessage,
  buildAlertUnresolvableMessage,
} from '../../slack/blocks/alert-notes-message.js';
import { formatAutofixCommand } from '../../slack/parse-command.js';
import type { SlackMessage, SlackPoster } from '../../slack/slack-poster.js';
import type { Tracker } from '../../tracking/tracker.js';
import type { ProposalStore } from '../../workflow/proposal-store.js';

/** Who "requested" an alert's investigation (shown as text; never a Slack user, so never an approver). */
export const ALERT_REQUESTER = 'alertmanager';

export interface AlertJobDeps {
  config: { alerts: Pick<AlertsConfig, 'cooldownSeconds' | 'maxPerMinute'>; namespaces: readonly string[] };
  poster: SlackPoster;
  producer: Pick<Producer, 'addInvestigation' | 'addResolve'>;
  incidents: Pick<AlertIncidents, 'get' | 'setThread' | 'setInvestigation'>;
  threads: Pick<ThreadIndex, 'get'>;
  messages: JobMessages;
  store: Pick<ProposalStore, 'get'>;
  tracker: Pick<Tracker, 'recordAlertResolved'>;
  /** The bot's Slack workspace (auth.test), so clicks from another one are refused as for /autofix. */
  teamId: string | null;
  logger: Logger;
}

export function parentOf(inc: AlertIncident): SlackMessage {
  return buildAlertParentMessage({
    ref: inc.ref,
    alert: inc.facts,
    alertnames: inc.alertnames,
    firing: Object.keys(inc.firing).length,
    notifications: inc.notifications,
    lastSeen: inc.lastSeen,
    resolvedAt: inc.resolvedAt,
  });
}

const durationText = (s: number): string =>
  s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`;

/** Posts the parent (once: the incident keeps its ts) and enqueues the investigation (once). */
async function openIncident(deps: AlertJobDeps, jobId: string, o: OpenIncident): Promise<string> {
  let inc = await deps.incidents.get(o.incident);
  // Another notification took it over (this job was lost for longer than the opening timeout), or it expired.
  if (!inc || inc.owner !== jobId) return 'taken over';
  if (!inc.threadTs) {
    const ts = await deps.poster.post(o.channel, parentOf(inc));
    const after = await deps.incidents.setThread(o.incident, jobId, ts);
    if (after?.threadTs !== ts) await deps.poster.delete(o.channel, ts).catch(() => undefined);
    if (!after) return 'expired';
    inc = after;
  }
  if (inc.investigation || !inc.threadTs) return 'opened';
  const thread = { channel: o.channel, threadTs: inc.threadTs, teamId: deps.teamId };
  const threadTs = inc.threadTs;
  let started: string;
  if (isWorkloadRef(o.ref)) {
    const res = await deps.producer.addInvestigation(
      {
        cluster: o.cluster,
        target: o.ref,
        requestedBy: ALERT_REQUESTER,
        channel: o.channel,
        teamId: deps.teamId,
        trigger: o.trigger,
      },
      () => Promise.resolve(threadTs),
    );
    if (res.kind === 'already_running' && res.running?.threadTs !== threadTs) {
      const where = res.running?.threadTs
        ? await deps.poster.permalink(res.running.channel, res.running.threadTs)
        : null;
      await postOnce(
        deps,
        { jobId, slot: `note:running:${o.incident}` },
        thread,
        buildAlertAlreadyRunningMessage({ ref: o.ref, where }),
      );
    }
    started = res.kind === 'enqueued' ? res.jobId : 'already_running';
  } else {
    // A pod or ReplicaSet: the worker resolves its owner in this thread, then investigates it (as /autofix pod/…).
    started = await deps.producer.addResolve({
      cluster: o.cluster,
      ref: o.ref,
      requestedBy: ALERT_REQUESTER,
      thread,
      requestedAt: new Date().toISOString(),
      trigger: o.trigger,
    });
  }
  await deps.incidents.setInvestigation(o.incident, jobId, started);
  return 'opened';
}

async function refreshParent(deps: AlertJobDeps, key: string): Promise<AlertIncident | null> {
  const inc = await deps.incidents.get(key);
  if (!inc?.threadTs) return null;
  await deps.poster.update(inc.channel, inc.threadTs, parentOf(inc));
  return inc;
}

async function sayResolved(deps: AlertJobDeps, jobId: string, inc: AlertIncident): Promise<void> {
  if (!inc.threadTs || !inc.resolvedAt) return;
  const thread = { channel: inc.channel, threadTs: inc.threadTs };
  const index = await deps.threads.get(thread);
  const proposal = index.proposal ? await deps.store.get(index.proposal) : null;
  const pending = proposal?.state === 'proposed';
  const where =
    pending && proposal.messageTs ? await deps.poster.permalink(inc.channel, proposal.messageTs) : null;
  await postOnce(
    deps,
    { jobId, slot: `note:resolved:${inc.id}` },
    thread,
    buildAlertResolvedMessage({
      alertname: inc.facts.alertname,
      resolvedAt: inc.resolvedAt,
      pendingProposal: pending ? { link: where } : null,
    }),
  );
  // The run (shared by every iteration of the thread) records the resolution; never throws.
  const run = index.run ?? proposal?.runId ?? null;
  if (run) await deps.tracker.recordAlertResolved(run, inc.resolvedAt);
}

export async function processAlertJob(
  deps: AlertJobDeps,
  data: AlertJob,
  job: Pick<Job, 'id'>,
): Promise<string> {
  const jobId = String(job.id);
  const log = deps.logger.child({ alertJob: jobId });
  const outcomes: string[] = [];
  for (const o of data.open) outcomes.push(await openIncident(deps, jobId, o));
  const refreshed = new Map<string, AlertIncident>();
  for (const key of data.touched) {
    const inc = await refreshParent(deps, key);
    if (inc) refreshed.set(key, inc);
  }
  const cooldown = durationText(deps.config.alerts.cooldownSeconds);
  for (const key of data.refired) {
    const inc = refreshed.get(key);
    if (!inc?.threadTs) continue;
    await postOnce(
      deps,
      { jobId, slot: `note:refired:${inc.id}` },
      { channel: inc.channel, threadTs: inc.threadTs },
      buildAlertRefiredMessage({
        alertname: inc.facts.alertname,
        ref: inc.ref,
        cooldown,
        rerunCommand: formatAutofixCommand(inc.ref),
      }),
    );
  }
  for (const key of data.resolved) {
    const inc = refreshed.get(key);
    if (inc) await sayResolved(deps, jobId, inc);
  }
  for (const g of data.storm)
    await postOnce(
      deps,
      { jobId, slot: `note:storm:${g.channel}` },
      { channel: g.channel },
      buildAlertStormMessage({
        total: g.total,
        items: g.items,
        maxPerMinute: deps.config.alerts.maxPerMinute,
      }),
    );
  for (const g of data.unresolvable)
    await postOnce(
      deps,
      { jobId, slot: `note:labels:${g.channel}` },
      { channel: g.channel },
      buildAlertUnresolvableMessage({ total: g.total, items: g.items }),
    );
  if (data.refused)
    await postOnce(
      deps,
      { jobId, slot: 'note:refused' },
      { channel: data.refused.channel },
      buildAlertRefusedMessage({ namespaces: data.refused.namespaces, allowed: deps.config.namespaces }),
    );
  log.info(
    {
      opened: outcomes.filter((o) => o === 'opened').length,
      updated: refreshed.size,
      storm: data.storm.length,
    },
    'alert job done',
  );
  return `opened ${outcomes.filter((o) => o === 'opened').length}`;
}
