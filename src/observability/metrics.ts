// Prometheus metrics (prom-client, one registry per process): commands, jobs, durations, decisions, LLM tokens.
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Decision = 'approved' | 'rejected' | 'expired' | 'refused' | 'rollback';

export interface Metrics {
  readonly registry: Registry;
  commands: Counter<'result'>;
  jobs: Counter<'name' | 'outcome'>;
  investigationSeconds: Histogram<'outcome'>;
  applySeconds: Histogram<'kind' | 'healthy'>;
  decisions: Counter<'decision'>;
  llmTokens: Counter<'kind' | 'model'>;
  /** Alertmanager webhooks by answer (accepted, duplicate, unauthorized, too_large, invalid, unavailable). */
  alertWebhooks: Counter<'result'>;
  alertWebhookSeconds: Histogram<'result'>;
  /** Alerts by what became of them (open, repeat, storm, refused_namespace, unresolvable…). */
  alerts: Counter<'outcome'>;
}

/** A fresh registry (tests make several); `defaults` adds process metrics (CPU, memory, event loop). */
export function createMetrics(opts: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaults ?? true) collectDefaultMetrics({ register: registry, prefix: 'autofix_' });
  const registers = [registry];
  return {
    registry,
    commands: new Counter({
      name: 'autofix_commands_total',
      help: '/autofix commands received, by result',
      labelNames: ['result'],
      registers,
    }),
    jobs: new Counter({
      name: 'autofix_jobs_total',
      help: 'Queue jobs finished, by job name and outcome',
      labelNames: ['name', 'outcome'],
      registers,
    }),
    investigationSeconds: new Histogram({
      name: 'autofix_investigation_duration_seconds',
      help: 'Time from the start of an investigation job to its outcome',
      labelNames: ['outcome'],
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
      registers,
    }),
    applySeconds: new Histogram({
      name: 'autofix_apply_duration_seconds',
      help: 'Time to apply (or roll back) a change and watch its rollout',
      labelNames: ['kind', 'healthy'],
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300],
      registers,
    }),
    decisions: new Counter({
      name: 'autofix_decisions_total',
      help: 'Button clicks on proposals, by decision',
      labelNames: ['decision'],
      registers,
    }),
    llmTokens: new Counter({
      name: 'autofix_llm_tokens_total',
      help: 'LLM tokens used by investigations',
      labelNames: ['kind', 'model'],
      registers,
    }),
    alertWebhooks: new Counter({
      name: 'autofix_alert_webhooks_total',
      help: 'Alertmanager webhooks received, by answer',
      labelNames: ['result'],
      registers,
    }),
    alertWebhookSeconds: new Histogram({
      name: 'autofix_alert_webhook_duration_seconds',
      help: 'Time to answer an Alertmanager webhook',
      labelNames: ['result'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    alerts: new Counter({
      name: 'autofix_alerts_total',
      help: 'Alerts received, by what became of them',
      labelNames: ['outcome'],
      registers,
    }),
  };
}
