// Builds the agent's dependencies from the configuration: cluster, engine (LLM or rules), tracker.
import type { Config } from '../config/config.js';
import { createKubeCluster } from '../k8s/kube-cluster.js';
import type { Cluster } from '../k8s/cluster.js';
import type { AgentDeps } from '../agent/investigate.js';
import type { DiagnosisEngine } from '../agent/diagnose/engine.js';
import { createRulesEngine } from '../agent/diagnose/rules/rules-engine.js';
import { createFallbackEngine, createLlmEngine } from '../agent/diagnose/llm/llm-engine.js';
import type { ProgressSink } from '../agent/progress.js';
import { createTracker, type TrackerOptions } from '../tracking/create-tracker.js';
import type { Logger } from '../observability/logger.js';

export function createEngine(config: Config): DiagnosisEngine {
  const rules = createRulesEngine();
  if (!config.llm) return rules;
  // The LLM is preferred; when it cannot be used the rule engine answers and says so in the notes.
  return createFallbackEngine(createLlmEngine({ config: config.llm, logPrompts: config.logPrompts }), rules);
}

export type WireOptions = TrackerOptions;

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
