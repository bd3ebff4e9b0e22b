// `kube-autofix history <kind>/<name> -n <ns> [--json]`: past investigations of a workload, read from MLflow.
import { z } from 'zod';
import { loadConfig } from '../config/config.js';
import {
  AutofixError,
  ErrorCode,
  asAutofixError,
  parseTargetRef,
  Target,
  TargetRef,
} from '../domain/index.js';
import { createMlflowClient } from '../tracking/mlflow-client.js';
import { PastIncident } from '../tracking/past-incidents.js';
import { MAX_HISTORY, existingExperiment, readHistory } from '../tracking/workload-history.js';
import { resolveHistoryTarget } from './history-target.js';
import type { CommandIo } from './investigate-command.js';

/** Set when a pod or ReplicaSet was given: what it was and the owner chain that led to the workload. */
export const HistoryResolution = z.object({ from: TargetRef, via: z.string() });
export type HistoryResolution = z.infer<typeof HistoryResolution>;

/** The `--json` answer. */
export const HistoryOutput = z.object({
  target: Target,
  resolvedFrom: HistoryResolution.nullable(),
  investigations: z.array(PastIncident),
});
export type HistoryOutput = z.infer<typeof HistoryOutput>;

export interface HistoryOptions {
  namespace: string;
  json?: boolean;
  limit?: string;
}

const DEFAULT_LIMIT = 10;

function limitOf(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_HISTORY)
    throw new AutofixError(
      ErrorCode.BadInput,
      `--limit must be an integer from 1 to ${MAX_HISTORY}, got "${raw}".`,
    );
  return n;
}

function line(p: PastIncident): string {
  const when = new Date(p.startedAt).toISOString().slice(0, 16).replace('T', ' ');
  const parts = [
    when,
    (p.category ?? 'unknown').padEnd(15),
    (p.outcome ?? 'unknown').padEnd(12),
    p.approvedBy ? `approved by ${p.approvedBy}` : 'not approved',
    p.approvals?.includes(';') ? `approvals: ${p.approvals}` : '',
    p.appliedAs ? `applied as ${p.appliedAs}` : '',
    p.timeToHealthySeconds !== null ? `healthy in ${Math.round(p.timeToHealthySeconds)} s` : '',
  ];
  const links = [p.runUrl, p.threadUrl].filter((x): x is string => x !== null).map((u) => `    ${u}`);
  return [parts.filter((x) => x !== '').join('  '), ...links].join('\n');
}

const slash = (t: TargetRef): string => `${t.kind.toLowerCase()}/${t.name}`;

/** The line naming the workload a pod or ReplicaSet stood for, before its history. */
function resolutionLine(target: Target, r: HistoryResolution | null): string {
  return r ? `${slash(r.from)} belongs to ${slash(target)} (${r.via}); history of ${slash(target)}:\n` : '';
}

export function renderHistory(
  target: Target,
  past: readonly PastIncident[],
  resolvedFrom: HistoryResolution | null = null,
): string {
  const head = resolutionLine(target, resolvedFrom);
  const name = `${slash(target)} in ${target.namespace}`;
  if (past.length === 0) return `${head}No past investigations of ${name} in MLflow.\n`;
  return `${head}${past.length} past investigation(s) of ${name}, newest first:\n${past.map(line).join('\n')}\n`;
}

/**
 * Exit codes as for diagnose: 0 listed (also when empty), 2 bad input, tracking off or a pod no workload owns,
 * 3 MLflow or (for a pod/ReplicaSet) the cluster unreachable.
 */
export async function runHistoryCommand(ref: string, opts: HistoryOptions, io: CommandIo): Promise<number> {
  try {
    const given = parseTargetRef(ref, opts.namespace);
    const limit = limitOf(opts.limit);
    const config = loadConfig(io.env);
    const { mlflow } = config;
    if (!mlflow) {
      throw new AutofixError(
        ErrorCode.ConfigInvalid,
        'History is read from MLflow, but MLFLOW_TRACKING_URI is not set.',
        {
          hint: 'Set MLFLOW_TRACKING_URI (and MLFLOW_EXPERIMENT_NAME if not kube-autofix).',
        },
      );
    }
    const { target, via } = await resolveHistoryTarget(given, config);
    const resolvedFrom = via ? { from: given, via } : null;
    const client = createMlflowClient(mlflow, { attempts: 2, timeoutMs: 5000 });
    const past = await readHistory(client, existingExperiment(client, mlflow.experimentName), target, {
      limit,
    });
    const out: HistoryOutput = { target, resolvedFrom, investigations: past };
    io.stdout(opts.json ? JSON.stringify(out) + '\n' : renderHistory(target, past, resolvedFrom));
    return 0;
  } catch (e) {
    const err = asAutofixError(e);
    if (opts.json) io.stdout(JSON.stringify({ error: err.message }) + '\n');
    io.stderr(`kube-autofix: ${err.describe()}\n`);
    return err.exitCode;
  }
}
