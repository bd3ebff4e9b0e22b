// MlflowTracker: one parent run per investigation, nested runs per iteration and for apply, a trace at the end.
import type { MlflowConfig } from '../config/config.js';
import { isMlflowError } from './mlflow-error.js';
import { createMlflowClient, type MlflowClient } from './mlflow-client.js';
import type { MlflowHttpOptions } from './mlflow-http.js';
import { createMlflowInvestigationRun } from './mlflow-investigation-run.js';
import { runRef, type RunContext, type RunRef } from './mlflow-run-handle.js';
import {
  createTraceRecorder,
  randomSpanId,
  rootSpanIdForRun,
  traceIdForRun,
  type AttrValue,
} from './trace-recorder.js';
import { createOutageBreaker, createTrackingGuard, type TrackingWarning } from './tracking-guard.js';
import type { InvestigationInfo, Tracker } from './tracker.js';

export interface MlflowTrackerOptions {
  /** Called once per recorded warning (an outage counts once per investigation): the metrics hook. */
  onWarning?: (warning: TrackingWarning) => void;
  http?: MlflowHttpOptions;
  /** Workspace URL for run links when the tracking URI is the bare `databricks`. */
  databricksHost?: string | null;
  /** After an outage, new investigations skip MLflow for this long instead of waiting on it again. */
  cooldownMs?: number;
  /** Reported as the trace's service.version. */
  serviceVersion?: string;
  /** A client to use instead of one built from the config (tests). */
  client?: MlflowClient;
}

/** `deployment/web@shop`: the parent run's name. */
export function investigationRunName(target: InvestigationInfo['target']): string {
  return `${target.kind.toLowerCase()}/${target.name}@${target.namespace}`;
}

/** `deployment/shop/web`: the `autofix.target` tag, so runs for one workload can be searched. */
function targetTag(target: InvestigationInfo['target']): string {
  return `${target.kind.toLowerCase()}/${target.namespace}/${target.name}`;
}

/** The run-level facts of an investigation as params and tags (issue 4's names). */
export function investigationFacts(info: InvestigationInfo): {
  params: Record<string, string>;
  tags: Record<string, string>;
} {
  const { target } = info;
  const params = {
    target_kind: target.kind,
    target_name: target.name,
    namespace: target.namespace,
    engine: info.engine,
    model: info.model,
    max_iterations: String(info.maxIterations),
    policy_level: info.policyLevel,
    agent_version: info.agentVersion,
  };
  const tags: Record<string, string> = { 'autofix.target': targetTag(target), 'autofix.engine': info.engine };
  if (info.requestedBy) tags['autofix.requested_by'] = info.requestedBy;
  if (info.channel) tags['autofix.channel'] = info.channel;
  return { params, tags };
}

function rootAttributes(info: InvestigationInfo, ref: RunRef | null): Record<string, AttrValue> {
  const attrs: Record<string, AttrValue> = {
    'mlflow.spanInputs': { target: info.target, engine: info.engine, model: info.model },
    // Root-span attributes `mlflow.traceTag.<key>` become trace tags on the server.
    'mlflow.traceTag.autofix.target': targetTag(info.target),
  };
  if (ref) attrs['mlflow.traceTag.autofix.run_id'] = ref.runId;
  return attrs;
}

export function createMlflowTracker(config: MlflowConfig, opts: MlflowTrackerOptions = {}): Tracker {
  const client =
    opts.client ?? createMlflowClient(config, { ...opts.http, databricksHost: opts.databricksHost ?? null });
  const breaker = createOutageBreaker(opts.cooldownMs ?? 60_000);
  const serviceVersion = opts.serviceVersion ?? '0.0.0';
  let experimentId: Promise<string> | null = null;

  /** Looked up (or created) once per tracker; a failed lookup is forgotten so the next investigation retries. */
  function experiment(): Promise<string> {
    if (!experimentId) {
      const lookup = client.getOrCreateExperiment(config.experimentName).then((e) => e.experiment_id);
      lookup.catch(() => {
        if (experimentId === lookup) experimentId = null;
      });
      experimentId = lookup;
    }
    return experimentId;
  }

  async function createParent(info: InvestigationInfo): Promise<RunRef> {
    const create = async (): Promise<RunRef> => {
      const input = {
        experimentId: await experiment(),
        runName: investigationRunName(info.target),
        tags: investigationFacts(info).tags,
      };
      return runRef(client, await client.createRun(input));
    };
    try {
      return await create();
    } catch (e) {
      // The cached experiment may have been deleted meanwhile: look it up (restoring it) once more.
      if (!isMlflowError(e) || e.serverUnusable || e.status === null || e.status >= 500) throw e;
      experimentId = null;
      return create();
    }
  }

  return {
    async startInvestigation(info) {
      const guard = createTrackingGuard(breaker, opts.onWarning);
      const ref = await guard.run('start the investigation run', () => createParent(info), null);
      const recorder = createTraceRecorder(ref ? traceIdForRun(ref.runId) : randomSpanId() + randomSpanId());
      const rootSpanId = ref ? rootSpanIdForRun(ref.runId) : randomSpanId();
      const name = `investigate ${investigationRunName(info.target)}`;
      const root = recorder.startSpan(name, 'agent', rootAttributes(info, ref), null, rootSpanId);
      if (ref) {
        const params = Object.entries(investigationFacts(info).params).map(([key, value]) => ({
          key,
          value,
        }));
        await guard.run(
          'log the investigation params',
          () => client.logBatch(ref.runId, { params }),
          undefined,
        );
      }
      const ctx: RunContext = { client, guard, recorder };
      return createMlflowInvestigationRun({ ctx, ref, root, rootSpanId, serviceVersion });
    },

    async resumeInvestigation(runId) {
      const guard = createTrackingGuard(breaker, opts.onWarning);
      const reopen = async (): Promise<RunRef> => {
        const run = await client.getRun(runId);
        await client.updateRun(runId, 'RUNNING');
        return runRef(client, run.info);
      };
      const ref = await guard.run(`reopen run ${runId}`, reopen, null);
      const ctx: RunContext = { client, guard, recorder: createTraceRecorder(traceIdForRun(runId)) };
      // The root span was exported by the process that started the investigation; new spans join it.
      return createMlflowInvestigationRun({
        ctx,
        ref,
        root: null,
        rootSpanId: rootSpanIdForRun(runId),
        serviceVersion,
      });
    },
  };
}
