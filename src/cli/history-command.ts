// `kube-autofix history <kind>/<name> -n <ns> [--json]`: past investigations of a workload, read from MLflow.
import { loadConfig } from '../config/config.js';
import { AutofixError, ErrorCode, isAutofixError, parseTarget, type Target } from '../domain/index.js';
import { createMlflowClient } from '../tracking/mlflow-client.js';
import type { PastIncident } from '../tracking/past-incidents.js';
import { MAX_HISTORY, readHistory } from '../tracking/workload-history.js';
import type { CommandIo } from './investigate-command.js';

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
    p.timeToHealthySeconds !== null ? `healthy in ${Math.round(p.timeToHealthySeconds)} s` : '',
  ];
  const links = [p.runUrl, p.threadUrl].filter((x): x is string => x !== null).map((u) => `    ${u}`);
  return [parts.filter((x) => x !== '').join('  '), ...links].join('\n');
}

export function renderHistory(target: Target, past: readonly PastIncident[]): string {
  const name = `${target.kind.toLowerCase()}/${target.name} in ${target.namespace}`;
  if (past.length === 0) return `No past investigations of ${name} in MLflow.\n`;
  return `${past.length} past investigation(s) of ${name}, newest first:\n${past.map(line).join('\n')}\n`;
}

/** Exit codes as for diagnose: 0 listed (also when empty), 2 bad input or tracking off, 3 MLflow unreachable. */
export async function runHistoryCommand(ref: string, opts: HistoryOptions, io: CommandIo): Promise<number> {
  try {
    const target = parseTarget(ref, opts.namespace);
    const limit = limitOf(opts.limit);
    const { mlflow } = loadConfig(io.env);
    if (!mlflow) {
      throw new AutofixError(
        ErrorCode.ConfigInvalid,
        'History is read from MLflow, but MLFLOW_TRACKING_URI is not set.',
        {
          hint: 'Set MLFLOW_TRACKING_URI (and MLFLOW_EXPERIMENT_NAME if not kube-autofix).',
        },
      );
    }
    const client = createMlflowClient(mlflow, { attempts: 2, timeoutMs: 5000 });
    const past = await readHistory(client, mlflow.experimentName, target, { limit });
    if (opts.json) io.stdout(JSON.stringify({ target, investigations: past }) + '\n');
    else io.stdout(renderHistory(target, past));
    return 0;
  } catch (e) {
    const err = isAutofixError(e)
      ? e
      : new AutofixError(
          ErrorCode.Internal,
          `Unexpected error: ${e instanceof Error ? e.message : String(e)}`,
        );
    if (opts.json) io.stdout(JSON.stringify({ error: err.message }) + '\n');
    io.stderr(`kube-autofix: ${err.describe()}\n`);
    return err.exitCode;
  }
}
