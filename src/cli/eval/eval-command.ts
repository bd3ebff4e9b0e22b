// `kube-autofix eval`: runs the eval cases against the cluster and reports accuracy and calibration.
import { resolve } from 'node:path';
import { loadConfig } from '../../config/config.js';
import { isAutofixError } from '../../domain/index.js';
import { createLogger } from '../../observability/logger.js';
import type { CommandIo } from '../investigate-command.js';
import { loadCases } from './eval-case.js';
import { runEvalCase } from './run-eval-case.js';
import { casePassed, scoreEval, type CaseResult } from './score-eval.js';

export interface EvalOptions {
  cases?: string;
  only?: string[];
  fix?: boolean;
  json?: boolean;
}

function row(r: CaseResult): string {
  const mark = casePassed(r) ? 'pass' : 'FAIL';
  const conf = r.confidence === null ? '  -  ' : r.confidence.toFixed(2);
  const healed = r.healed === null ? '' : r.healed ? ' healed' : ' not healed';
  const why = r.error ? `  (${r.error})` : '';
  return `${mark}  ${r.name.padEnd(30)} ${String(r.category).padEnd(15)} ${r.outcome.padEnd(12)} conf ${conf}  ${r.seconds}s ${r.apiCalls} calls${healed}${why}`;
}

export async function runEvalCommand(opts: EvalOptions, io: CommandIo): Promise<number> {
  try {
    const config = loadConfig(io.env);
    const cases = loadCases(resolve(opts.cases ?? 'eval/cases'), opts.only ?? []);
    const logger = createLogger(io.env.LOG_LEVEL || 'warn');
    const engine = config.llm ? `llm (${config.llm.model})` : 'rules';
    io.stderr(
      `eval: ${cases.length} case(s), engine ${engine}${opts.fix ? ', fixing with automatic approval' : ''}\n`,
    );
    const results: CaseResult[] = [];
    for (const c of cases) {
      io.stderr(`eval: ${c.name}: ${c.description}\n`);
      const r = await runEvalCase(c, config, { fix: opts.fix ?? false, logger });
      results.push(r);
      io.stderr(`${row(r)}\n`);
    }
    const summary = scoreEval(results);
    if (opts.json) io.stdout(JSON.stringify({ engine, summary, results }) + '\n');
    else io.stdout([...results.map(row), '', JSON.stringify(summary, null, 2), ''].join('\n'));
    return summary.passed ? 0 : 1;
  } catch (e) {
    io.stderr(`kube-autofix eval: ${isAutofixError(e) ? e.describe() : String(e)}\n`);
    return isAutofixError(e) ? e.exitCode : 3;
  }
}
