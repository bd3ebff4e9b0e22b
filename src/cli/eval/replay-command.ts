// `kube-autofix eval --replay <run|experiment>`: re-runs recorded investigations' engine input through a chosen
// engine and model with no cluster, scores the answers against the recorded labels, and logs an evaluation run.
import { randomBytes } from 'node:crypto';
import { loadConfig, parseDuration, type Config, type LlmConfig } from '../../config/config.js';
import {
  AutofixError,
  DEFAULT_PRICES,
  ErrorCode,
  EngineName,
  isAutofixError,
  priceOf,
  type PriceTable,
} from '../../domain/index.js';
import type { DiagnosisEngine } from '../../agent/diagnose/engine.js';
import { createLlmEngine } from '../../agent/diagnose/llm/llm-engine.js';
import { promptsOf } from '../../agent/diagnose/llm/prompts/prompt-set.js';
import { createRulesEngine } from '../../agent/diagnose/rules/rules-engine.js';
import { agentVersion } from '../../observability/version.js';
import { createMlflowClient } from '../../tracking/mlflow-client.js';
import { loadRecordedCases, type RecordedCase } from '../../tracking/replay-source.js';
import type { CommandIo } from '../investigate-command.js';
import { loadPrices } from './price-table.js';
import { replayCase, replayPassed, type ReplayResult } from './replay-case.js';
import { startReplayTracking, type ReplayTracking } from './replay-tracking.js';
import { inLanes } from './run-suite.js';
import { renderReplayTable, scoreReplay } from './score-replay.js';

export interface ReplayOptions {
  /** A run id (investigation or sandbox eval suite) or the experiment investigations are recorded in. */
  replay: string;
  /** Only recordings this recent, e.g. `30d`. */
  since?: string;
  onlyLabelled?: boolean;
  max?: number;
  parallel?: number;
  json?: boolean;
  prices?: string;
  /** Where the evaluation run goes (default kube-autofix-eval). */
  experiment?: string;
  /** Default: llm when OPENAI_API_KEY is set, else rules. */
  engine?: string;
  /** Over AUTOFIX_MODEL for the llm engine. */
  model?: string;
}

/** What a test replaces: the engine (e.g. one that fails), the clock `--since` counts back from, the runs per MLflow page. */
export interface ReplayCommandDeps {
  makeEngine?: (config: Config) => DiagnosisEngine;
  now?: () => number;
  pageSize?: number;
}

function bad(message: string, hint: string): never {
  throw new AutofixError(ErrorCode.BadInput, message, { hint });
}

function whole(name: string, v: number | undefined, dflt: number, max: number): number {
  const n = v ?? dflt;
  if (!Number.isInteger(n) || n < 1 || n > max)
    bad(
      `--${name} must be a whole number from 1 to ${max} (got ${String(v)}).`,
      `Pass e.g. --${name} ${dflt}.`,
    );
  return n;
}

function sinceMs(since: string | undefined, now: number): number | null {
  if (since === undefined) return null;
  const seconds = parseDuration(since);
  if (seconds === null || seconds <= 0)
    bad(`--since must be a duration such as 30d or 12h (got "${since}").`, 'Pass e.g. --since 30d.');
  return now - seconds * 1000;
}

/**
 * The engine the cases are replayed through. The LLM engine has no rule-engine fallback here: an
 * unavailable model is an error of that case, never a rule-engine answer scored as the model's.
 */
export function chooseEngine(
  config: Config,
  opts: Pick<ReplayOptions, 'engine' | 'model'>,
  prices: PriceTable = DEFAULT_PRICES,
): DiagnosisEngine {
  const name = opts.engine ?? (config.llm ? 'llm' : 'rules');
  if (!EngineName.safeParse(name).success)
    bad(
      `--engine must be ${EngineName.options.join(' or ')} (got "${name}").`,
      'Pass --engine rules or --engine llm.',
    );
  if (name === 'rules') {
    if (opts.model) bad('--model applies to the llm engine only.', 'Drop --model, or pass --engine llm.');
    return createRulesEngine();
  }
  if (!config.llm)
    bad(
      '--engine llm needs OPENAI_API_KEY (and OPENAI_BASE_URL for a server other than OpenAI).',
      'Set them, or pass --engine rules.',
    );
  const llm = opts.model ? { ...config.llm, ...otherModel(config.llm, opts.model, prices) } : config.llm;
  return createLlmEngine({ config: llm, logPrompts: false });
}

/** --model: its price from the replay's table, which a cost ceiling cannot do without (as at start). */
function otherModel(llm: LlmConfig, model: string, prices: PriceTable): Pick<LlmConfig, 'model' | 'price'> {
  const price = model === llm.model ? llm.price : priceOf(prices, model);
  if (llm.ceilings.maxCostUsd !== null && price === null)
    bad(
      `--model ${model} has no price, and AUTOFIX_LLM_MAX_COST_USD needs one.`,
      'Give its price with --prices, or unset AUTOFIX_LLM_MAX_COST_USD.',
    );
  return { model, price };
}

function progressLine(r: ReplayResult, done: number, total: number): string {
  const mark = r.status === 'error' ? 'ERROR' : replayPassed(r) ? 'pass' : 'FAIL';
  const why = r.error ? ` (${r.error})` : r.refusal ? ` (${r.refusal.slice(0, 120)})` : '';
  return `replay [${done}/${total}]: ${mark} ${r.name}: ${r.category ?? '-'} ${r.outcome}${why}\n`;
}

async function startTracking(
  config: Config,
  opts: ReplayOptions,
  info: { replayId: string; engine: DiagnosisEngine; parallel: number; max: number },
  cases: RecordedCase[],
  io: CommandIo,
): Promise<ReplayTracking | null> {
  try {
    return await startReplayTracking(
      config.mlflow!,
      {
        replayId: info.replayId,
        ...(opts.experiment ? { experiment: opts.experiment } : {}),
        agent: {
          kubeAutofix: agentVersion(),
          engine: info.engine.name,
          model: info.engine.model,
          prompts: promptsOf(info.engine.name),
        },
        source: opts.replay,
        params: {
          cases: cases.length,
          since: opts.since ?? 'all',
          only_labelled: opts.onlyLabelled ?? false,
          max: info.max,
          parallel: info.parallel,
        },
      },
      cases,
    );
  } catch (e) {
    io.stderr(
      `replay: MLflow refused the evaluation run, results are not tracked: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return null;
  }
}

export async function runReplayCommand(
  opts: ReplayOptions,
  io: CommandIo,
  deps: ReplayCommandDeps = {},
): Promise<number> {
  try {
    const parallel = whole('parallel', opts.parallel, 4, 16);
    // Each case holds its bundle (up to 1 MiB) in memory until it is scored.
    const max = whole('max', opts.max, 200, 10_000);
    const config = loadConfig(io.env);
    if (!config.mlflow)
      bad(
        'eval --replay reads recorded investigations from MLflow: MLFLOW_TRACKING_URI is not set.',
        'Set MLFLOW_TRACKING_URI (and its token) to the server the investigations were tracked on.',
      );
    const since = sinceMs(opts.since, (deps.now ?? Date.now)());
    const prices = loadPrices(opts.prices);
    const engine = deps.makeEngine ? deps.makeEngine(config) : chooseEngine(config, opts, prices);
    const replayId = randomBytes(3).toString('hex');
    const recorded = await loadRecordedCases(createMlflowClient(config.mlflow), {
      source: opts.replay,
      sinceMs: since,
      onlyLabelled: opts.onlyLabelled ?? false,
      max,
      ...(deps.pageSize ? { pageSize: deps.pageSize } : {}),
    });
    for (const r of recorded.refused) io.stderr(`replay: skipped ${r.runId}/${r.path}: ${r.error}\n`);
    const cases = recorded.cases;
    io.stderr(
      `replay ${replayId}: ${cases.length} case(s) from ${opts.replay}, ${parallel} at a time, engine ${engine.name} (${engine.model}), no cluster\n`,
    );
    const tracking = await startTracking(config, opts, { replayId, engine, parallel, max }, cases, io);
    let done = 0;
    const results = await inLanes(
      cases,
      parallel,
      (c) => replayCase(c, engine, prices),
      async (r) => {
        io.stderr(progressLine(r, ++done, cases.length));
        await tracking?.caseDone(r);
      },
    );
    const summary = scoreReplay(results);
    const table = renderReplayTable(results, summary);
    await tracking?.finish(results, summary, table);
    for (const w of tracking?.warnings ?? []) io.stderr(`replay: MLflow: ${w}\n`);
    const trackingUrl = tracking?.runUrl ?? null;
    if (opts.json)
      io.stdout(
        JSON.stringify({
          suiteId: replayId,
          kind: 'replay',
          source: opts.replay,
          engine: engine.name,
          model: engine.model,
          trackingUrl,
          refused: recorded.refused,
          summary,
          results,
        }) + '\n',
      );
    else io.stdout(table + (trackingUrl ? `MLflow: ${trackingUrl}\n` : ''));
    return summary.passed && recorded.refused.length === 0 ? 0 : 1;
  } catch (e) {
    io.stderr(`kube-autofix eval --replay: ${isAutofixError(e) ? e.describe() : String(e)}\n`);
    return isAutofixError(e) ? e.exitCode : 3;
  }
}
