// Builds the agent's dependencies from the configuration: cluster, engine (LLM or rules), tracker.
import type { Config } from '../config/config.js';
import { createKubeCluster } from '../k8s/kube-cluster.js';
import type { Cluster } from '../k8s/cluster.js';
import type { AgentDeps } from '../agent/investigate.js';
import type { DiagnosisEngine } from '../agent/engines/engine.js';
import { createRulesEngine } from '../agent/engines/rules-engine.js';
import { createFallbackEngine, createLlmEngine } from '../agent/engines/llm-engine.js';
import type { ProgressSink } from '../agent/progress.js';
import { createMlflowTracker } from '../tracking/mlflow-tracker.js';
import { NoopTracker } from '../tracking/no-op-tracker.js';
import type { Tracker } from '../tracking/tracker.js';
import type { TrackingWarning } from '../tracking/tracking-guard.js';
import type { Logger } from '../observability/logger.js';
import { agentVersion } from '../observability/version.js';

export function createEngine(config: Config): DiagnosisEngine {
  const rules = createRulesEngine();
  if (!config.llm) return rules;
  // The LLM is preferred; when it cannot be used the rule engine answers and says so in the notes.
  return createFallbackEngine(createLlmEngine({ config: config.llm, logPrompts: config.logPrompts }), rules);
}

export interface WireOptions {
  /** Each tracking problem, once (the metrics hook); default: a warning in the log. */
  onTrackingWarning?: (w: TrackingWarning) => void;
}

export function createTracker(config: Config, logger: Logger, opts: WireOptions = {}): Tracker {
  if (!config.mlflow) return new NoopTracker();
  return createMlflowTracker(config.mlflow, {
    serviceVersion: agentVersion(),
    onWarning:
      opts.onTrackingWarning ??
      ((w) => logger.warn({ tracking: w }, 'tracking problem (the investigation goes on)')),
  });
}

export function wireAgent(
  config: Config,
  logger: Logger,
  progress: ProgressSink,
  cluster?: Cluster,
  opts: WireOptions = {},
): AgentDeps {
  return {
    cluster: cluster ?? createKubeCluster({ kubeconfig: config.kubeconfig ?? undefined }),
    engine: createEngine(config),
    tracker: createTracker(config, logger, opts),
    config,
    progress,
  };
}
