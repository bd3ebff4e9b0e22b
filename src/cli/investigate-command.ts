// The `diagnose` and `fix` commands: config → namespace check → agent → report, with the exit-code contract.
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/config.js';
import type { InvestigationResult, Target } from '../domain/index.js';
import { AutofixError, ErrorCode, isAutofixError, parseTarget } from '../domain/index.js';
import { investigate, toResult, type Investigation } from '../agent/investigate.js';
import { fixWorkload } from '../agent/fix-workload.js';
import type { ProgressEvent } from '../agent/progress.js';
import { assertNamespaceAllowed } from '../safety/namespace-allowlist.js';
import { createLogger } from '../observability/logger.js';
import { confirmOnTerminal } from './confirm.js';
import { renderReport } from './render-report.js';
import { wireAgent } from './wire-agent.js';

export interface CommandOptions {
  namespace?: string;
  json?: boolean;
  yes?: boolean;
  quiet?: boolean;
  maxIterations?: string;
}

export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
  isTty: boolean;
  confirm: (question: string) => Promise<boolean>;
}

export const processIo = (): CommandIo => ({
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  isTty: Boolean(process.stdin.isTTY && process.stderr.isTTY),
  confirm: confirmOnTerminal,
});

const EXIT_BY_OUTCOME: Record<InvestigationResult['outcome'], number> = {
  healthy: 0,
  proposed: 0,
  fixed: 0,
  no_safe_fix: 1,
  not_fixed: 1,
  refused: 2,
  error: 3,
};

function configFor(opts: CommandOptions, env: CommandIo['env']): Config {
  const config = loadConfig(env);
  if (opts.maxIterations === undefined) return config;
  const n = Number(opts.maxIterations);
  if (!Number.isInteger(n) || n < 1 || n > 10) {
    throw new AutofixError(ErrorCode.BadInput, `--max-iterations must be an integer from 1 to 10, got "${opts.maxIterations}".`);
  }
  return { ...config, maxIterations: n };
}

function errorResult(target: Target | null, ref: string, ns: string | undefined, e: AutofixError): InvestigationResult {
  return {
    target: target ?? { kind: ref.split('/')[0] ?? '', name: ref.split('/')[1] ?? '', namespace: ns ?? '' },
    outcome: e.exitCode === 2 ? 'refused' : 'error',
    diagnosis: null,
    proposal: null,
    validation: null,
    apply: null,
    iterations: 0,
    tracking: null,
    error: e.describe(),
  };
}

function details(inv: Investigation): { humanAction: string | null; notes: string[]; attempts: string[] } {
  return {
    humanAction: inv.diagnosis?.humanAction ?? null,
    notes: [...(inv.diagnosis?.notes ?? []), ...inv.evidence.gaps.map((g) => `could not read ${g}`), ...inv.run.warnings.map((w) => `tracking: ${w}`)],
    attempts: inv.attempts.map((a) => `iteration ${a.iteration}: ${a.errors.join('; ')}`),
  };
}

/** Runs `diagnose` (mode 'diagnose') or `fix`; returns the process exit code. */
export async function runInvestigateCommand(mode: 'diagnose' | 'fix', ref: string, opts: CommandOptions, io: CommandIo): Promise<number> {
  let target: Target | null = null;
  const progress = (e: ProgressEvent): void => {
    if (!opts.quiet) io.stderr(`[${e.iteration > 0 ? `iteration ${e.iteration}` : 'apply'}] ${e.stage}: ${e.message}\n`);
  };
  try {
    target = parseTarget(ref, opts.namespace);
    const config = configFor(opts, io.env);
    assertNamespaceAllowed(target.namespace, config.namespaces);
    if (mode === 'fix' && !opts.yes && !io.isTty) {
      throw new AutofixError(ErrorCode.BadInput, 'fix asks for confirmation before applying, but there is no terminal to ask on.', {
        hint: 'Run it in a terminal, or pass --yes to apply without asking.',
      });
    }
    const logger = createLogger(io.env.LOG_LEVEL || 'warn');
    const deps = wireAgent(config, logger, progress);
    let inv: Investigation;
    let result: InvestigationResult;
    if (mode === 'diagnose') {
      inv = await investigate(target, deps);
      result = toResult(inv);
    } else {
      const approve = async (i: Investigation): Promise<string | null> => {
        if (opts.yes) return 'cli --yes';
        io.stderr(renderReport(toResult(i), details(i)));
        return (await io.confirm('Apply this change?')) ? `cli (${io.env.USER ?? 'terminal'})` : null;
      };
      const fixed = await fixWorkload(target, deps, approve);
      inv = fixed.investigation;
      result = fixed.result;
    }
    await inv.run.end(result.outcome === 'not_fixed' ? 'FAILED' : 'FINISHED');
    io.stdout(opts.json ? JSON.stringify(result) + '\n' : renderReport(result, details(inv)));
    return EXIT_BY_OUTCOME[result.outcome];
  } catch (e) {
    const err = isAutofixError(e) ? e : new AutofixError(ErrorCode.Internal, `Unexpected error: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    const result = errorResult(target, ref, opts.namespace, err);
    if (opts.json) io.stdout(JSON.stringify(result) + '\n');
    else io.stderr(`kube-autofix: ${err.describe()}\n`);
    return err.exitCode;
  }
}
