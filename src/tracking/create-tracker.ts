// The Tracker a process uses: MLflow when MLFLOW_TRACKING_URI is set, the no-op tracker otherwise.
import type { Config } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import { agentVersion } from '../observability/version.js';
import { createMlflowTracker } from './mlflow-tracker.js';
import type { MlflowHttpOptions } from './mlflow-http.js';
import { NoopTracker } from './no-op-tracker.js';
import { createTraceCollector } from './trace-collector.js';
import type { Tracker } from './tracker.js';
import type { TrackingWarning } from './tracking-guard.js';

export interface TrackerOptions {
  /** Each tracking problem, once (the metrics hook); default: a warning in the log. */
  onTrackingWarning?: (w: TrackingWarning) => void;
  http?: MlflowHttpOptions;
  /** `settled` waits for the workload's history too (a one-shot CLI answer; never the worker's proposal). */
  awaitHistory?: boolean;
}

export function createTracker(
  config: Pick<Config, 'mlflow'> & Partial<Pick<Config, 'otlp'>>,
  logger: Logger,
  opts: TrackerOptions = {},
): Tracker {
  if (!config.mlflow) return new NoopTracker();
  return createMlflowTracker(config.mlflow, {
    serviceVersion: agentVersion(),
    // Traces are recorded with the MLflow run (their ids derive from it); the collector gets a copy.
    collector: config.otlp ? createTraceCollector(config.otlp) : null,
    ...(opts.http ? { http: opts.http } : {}),
    awaitHistory: opts.awaitHistory ?? false,
    onWarning:
      opts.onTrackingWarning ??
      ((w) => logger.warn({ tracking: w }, 'tracking problem (the investigation goes on)')),
    onDecisionTagFailed: (runId, e) =>
      logger.warn(
        { runId, err: e instanceof Error ? e.message : String(e) },
        'could not tag the decision on the MLflow run',
      ),
  });
}
