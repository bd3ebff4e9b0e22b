// `kube-autofix eval`: runs the eval cases on the cluster (in parallel, repeated) and reports the scores,
// on stdout and, when MLflow is configured, as a suite run with one nested run per case.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { loadConfig, type Config } from '../../config/config.js';
import { AutofixError, ErrorCode, isAutofixError } from '../../domain/index.js';
import type { DiagnosisEngine } from '../../agent/diagnose/engine.js';
import { createLogger } from '../../observability/logger.js';
import { agentVersion } from '../../observability/version.js';
import type { CommandIo } from '../investigate-command.js';
import { createEngine } from '../wire-agent.js';
import { loadCases } from './eval-case.js';
import { renderTable } from './eval-table.js';
import { DEFAULT_EVAL_EXPERIMENT, startSuiteTracking, type SuiteTracking } from './eval-tracking.js';
import { DEFAULT_TIMING, type JudgeTiming } from './judge-case.js';
import { loadPrices } from './price-table.js';
import { runSuite } from './run-suite.js';
import { casePassed, scoreEval, type CaseResult } from './score-eval.js';

export interface EvalOptions {
  cases?: string;
  only?: string[];
  /** Default true: apply proposals with automatic approval and judge healing. */
  fix?: boolean;
  json?: boolean;
  parallel?: number;
  repeat?: number;
  /** JSON price table (USD per 1M tokens) over the built-in one. */
  prices?: string;
  experiment?: string;
}

/** What a test replaces: the engine (a deliberately broken one) and the judge's timeouts. */
export interface EvalCommandDeps {
  makeEngine?: (config: Config) => DiagnosisEngine;
  timing?: JudgeTiming;
}

function count(name: string, v: number | undefined, max: number): number {
  const n = v ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new AutofixError(
      ErrorCode.BadInput,
      `--${name} must be a whole number from 1 to ${max} (got ${String(v)}).`,
      {
        hint: `Pass e.g. --${name} 2.`,
      },
    );
  return n;
}

function progressLine(r: CaseResult): string {
  const mark = r.status !== 'ok' ? r.status.toUpperCase() : casePassed(r) ? 'pass' : 'FAIL';
  const why = r.error ? ` (${r.error})` : '';
  return `eval: ${mark} ${r.name} #${r.attempt}: ${r.category ?? '-'} ${r.outcome}${r.healed === null ? '' : r.healed ? ' healed' : ' not healed'}${why}\n`;
}

async function startTracking(
  config: Config,
  opts: EvalOptions,
  info: { suiteId: string; engine: string; model: string; parallel: number; repeat: number; cases: number },
  io: CommandIo,
): Promise<SuiteTracking | null> {
  if (!config.mlflow) return null;
  try {
    return await startSuiteTracking(config.mlflow, {
      suiteId: info.suiteId,
      experiment: opts.experiment ?? DEFAULT_EVAL_EXPERIMENT,
      engine: info.engine,
      model: info.model,
      agentVersion: agentVersion(),
      params: {
        cases: info.cases,
        parallel: info.parallel,
        repeat: info.repeat,
        fix: opts.fix ?? true,
        max_iterations: config.maxIterations,
      },
    });
  } catch (e) {
    io.stderr(
      `eval: MLflow unavailable, results are not tracked: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return null;
  }
}

export async function runEvalCommand(
  opts: EvalOptions,
  io: CommandIo,
  deps: EvalCommandDeps = {},
): Promise<number> {
  try {
    const parallel = count('parallel', opts.parallel, 16);
    const repeat = count('repeat', opts.repeat, 20);
    const config = loadConfig(io.env);
    const prices = loadPrices(opts.prices);
    const cases = loadCases(resolve(opts.cases ?? 'eval/cases'), opts.only ?? []);
    const engine = (deps.makeEngine ?? createEngine)(config);
    const suiteId = randomBytes(3).toString('hex');
    const fix = opts.fix ?? true;
    io.stderr(
      `eval ${suiteId}: ${cases.length} case(s) × ${repeat}, ${parallel} at a time, engine ${engine.name} (${engine.model})${fix ? ', fixing with automatic approval' : ', diagnose only'}\n`,
    );
    const tracking = await startTracking(
      config,
      opts,
      { suiteId, engine: engine.name, model: engine.model, parallel, repeat, cases: cases.length },
      io,
    );
    const results = await runSuite(
      cases,
      {
        logger: createLogger(io.env.LOG_LEVEL || 'warn'),
        fix,
        timing: deps.timing ?? DEFAULT_TIMING,
        prices,
        env: io.env,
        suiteId,
        ...(deps.makeEngine ? { makeEngine: deps.makeEngine } : {}),
      },
      {
        parallel,
        repeat,
        onResult: async (r) => {
          io.stderr(progressLine(r));
          await tracking?.caseDone(r);
        },
      },
    );
    const summary = scoreEval(results);
    const table = renderTable(results, summary);
    await tracking?.finish(results, summary, table);
    for (const w of tracking?.warnings ?? []) io.stderr(`eval: MLflow: ${w}\n`);
    const trackingUrl = tracking?.runUrl ?? null;
    if (opts.json)
      io.stdout(
        JSON.stringify({ suiteId, engine: engine.name, model: engine.model, trackingUrl, summary, results }) +
          '\n',
      );
    else io.stdout(table + (trackingUrl ? `MLflow: ${trackingUrl}\n` : ''));
    return summary.passed ? 0 : 1;
  } catch (e) {
    io.stderr(`kube-autofix eval: ${isAutofixError(e) ? e.describe() : String(e)}\n`);
    return isAutofixError(e) ? e.exitCode : 3;
  }
}
