// The `diagnose` and `fix` commands: config → namespace check → agent → report, with the exit-code contract.
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/config.js';
import type { InvestigationResult, Target } from '../domain/index.js';
import { AutofixError, DEFAULT_CLUSTER, ErrorCode, asAutofixError, parseTargetRef } from '../domain/index.js';
import { resolveTarget } from '../agent/collect/resolve-target.js';
import { investigate, startRun, toResult, type AgentDeps, type Investigation } from '../agent/investigate.js';
import { fixWorkload } from '../workflow/fix-workload.js';
import { finishRun } from '../workflow/finish-run.js';
import type { InvestigationRun } from '../tracking/tracker.js';
import type { StoredProposal } from '../workflow/proposal-record.js';
import type { ProgressEvent } from '../agent/progress.js';
import { assertNamespaceAllowed } from '../safety/namespace-allowlist.js';
import { createLogger } from '../observability/logger.js';
import { confirmOnTerminal } from './confirm.js';
import { terminalNotifier } from './terminal-notifier.js';
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
  /** Runs `handler` on SIGINT/SIGTERM, then the process exits; returns the unsubscribe. Absent: no handling. */
  onInterrupt?: (handler: (signal: NodeJS.Signals) => Promise<void>) => () => void;
}

/** Exit code of a process ended by `signal` (128 + its number), as shells report it. */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

function onProcessInterrupt(handler: (signal: NodeJS.Signals) => Promise<void>): () => void {
  const on = (signal: NodeJS.Signals): void => {
    // `once`: a second Ctrl-C while the handler runs gets Node's default (immediate exit).
    void handler(signal).finally(() => process.exit(SIGNAL_EXIT[signal] ?? 1));
  };
  process.once('SIGINT', on);
  process.once('SIGTERM', on);
  return () => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  };
}

export const processIo = (): CommandIo => ({
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  isTty: Boolean(process.stdin.isTTY && process.stderr.isTTY),
  confirm: confirmOnTerminal,
  onInterrupt: onProcessInterrupt,
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
    throw new AutofixError(
      ErrorCode.BadInput,
      `--max-iterations must be an integer from 1 to 10, got "${opts.maxIterations}".`,
    );
  }
  return { ...config, maxIterations: n };
}

function errorResult(
  cluster: string,
  target: Target | null,
  ref: string,
  ns: string | undefined,
  e: AutofixError,
  run: InvestigationRun | null,
): InvestigationResult {
  return {
    cluster,
    target: target ?? { kind: ref.split('/')[0] ?? '', name: ref.split('/')[1] ?? '', namespace: ns ?? '' },
    outcome: e.exitCode === 2 ? 'refused' : 'error',
    diagnosis: null,
    proposal: null,
    validation: null,
    apply: null,
    iterations: 0,
    // A run started before the error stays linked: it records how far the investigation got.
    tracking: run?.runId && run.runUrl ? { runId: run.runId, runUrl: run.runUrl } : null,
    error: e.describe(),
  };
}

/** Hands out each tracking warning of a run once, however many reports are printed. */
function trackingNotices(): (run: InvestigationRun | null) => string[] {
  let shown = 0;
  return (run) => {
    const fresh = (run?.warnings ?? []).slice(shown);
    shown += fresh.length;
    return fresh.map((w) => `tracking: ${w}`);
  };
}

function details(
  inv: Investigation,
  tracking: string[],
): { humanAction: string | null; notes: string[]; attempts: string[] } {
  return {
    humanAction: inv.diagnosis?.humanAction ?? null,
    notes: [
      ...(inv.diagnosis?.notes ?? []),
      ...inv.evidence.gaps.map((g) => `could not read ${g}`),
      ...tracking,
    ],
    attempts: inv.attempts.map((a) => `iteration ${a.iteration}: ${a.errors.join('; ')}`),
  };
}

/** On SIGINT/SIGTERM the run ends KILLED (its trace exported) before the process exits. */
function endRunOnInterrupt(io: CommandIo, run: InvestigationRun): () => void {
  const stop = io.onInterrupt?.(async (signal) => {
    io.stderr(`kube-autofix: interrupted (${signal}); nothing more is done.\n`);
    await run.setTags({ 'autofix.interrupted': signal });
    await run.end('KILLED');
  });
  return stop ?? (() => undefined);
}

/** The agent's part of the command, in the run the command opened. */
async function runAgent(
  mode: 'diagnose' | 'fix',
  target: Target,
  deps: AgentDeps,
  run: InvestigationRun,
  opts: CommandOptions,
  io: CommandIo,
  scope: { cluster: string; namespaces: readonly string[] },
): Promise<{ inv: Investigation; result: InvestigationResult }> {
  if (mode === 'diagnose') {
    const inv = await investigate(target, deps, { run, clusterName: scope.cluster });
    return { inv, result: toResult(inv) };
  }
  const approve = async (record: StoredProposal): Promise<string | null> => {
    const flags = record.proposal.validation.flags;
    // --yes approves unflagged changes; a flagged one (new behaviour, a guard loosened, traffic re-pointed) only a reader.
    if (opts.yes && flags.length > 0) {
      io.stderr(
        `kube-autofix: not applied: the change is flagged for a person to read, which --yes does not approve; run without --yes to read and confirm it:\n${flags.map((f) => `  ! ${f}`).join('\n')}\n`,
      );
      return null;
    }
    if (opts.yes) return 'cli --yes';
    return (await io.confirm('Apply this change?')) ? `cli (${io.env.USER ?? 'terminal'})` : null;
  };
  const notifier = terminalNotifier({ stderr: io.stderr, quiet: opts.quiet, showProposal: !opts.yes });
  const fixed = await fixWorkload(target, deps, { notifier, approve, requestedBy: 'cli', ...scope }, { run });
  return { inv: fixed.investigation, result: fixed.result };
}

/** Runs `diagnose` (mode 'diagnose') or `fix`; returns the process exit code. */
export async function runInvestigateCommand(
  mode: 'diagnose' | 'fix',
  ref: string,
  opts: CommandOptions,
  io: CommandIo,
): Promise<number> {
  let target: Target | null = null;
  let cluster: string = DEFAULT_CLUSTER;
  let run: InvestigationRun | null = null;
  let stopInterrupt = (): void => undefined;
  const notices = trackingNotices();
  const progress = (e: ProgressEvent): void => {
    if (!opts.quiet)
      io.stderr(`[${e.iteration > 0 ? `iteration ${e.iteration}` : 'apply'}] ${e.stage}: ${e.message}\n`);
  };
  try {
    const parsed = parseTargetRef(ref, opts.namespace);
    const config = configFor(opts, io.env);
    cluster = config.cluster;
    assertNamespaceAllowed(parsed.namespace, config.namespaces);
    if (mode === 'fix' && !opts.yes && !io.isTty) {
      throw new AutofixError(
        ErrorCode.BadInput,
        'fix asks for confirmation before applying, but there is no terminal to ask on.',
        {
          hint: 'Run it in a terminal, or pass --yes to apply without asking.',
        },
      );
    }
    const logger = createLogger(io.env.LOG_LEVEL || 'warn');
    // The command reports tracking problems itself, once (below); a log line would repeat them.
    // A one-shot answer read whole: "seen before" is waited for (beside the run's creation).
    const deps = wireAgent(config, logger, progress, undefined, {
      onTrackingWarning: (w) => logger.debug({ tracking: w }, 'tracking problem'),
      awaitHistory: true,
    });
    const resolved = await resolveTarget(deps.cluster, parsed);
    target = resolved.target;
    if (resolved.via)
      io.stderr(`kube-autofix: ${resolved.via}: investigating ${target.kind.toLowerCase()}/${target.name}\n`);
    run = await startRun(deps.tracker, target, deps, {
      sessionId: `cli-${randomUUID()}`,
      clusterName: config.cluster,
    });
    stopInterrupt = endRunOnInterrupt(io, run);
    const { inv, result } = await runAgent(mode, target, deps, run, opts, io, config);
    await finishRun(run, result);
    stopInterrupt();
    if (opts.json) io.stdout(JSON.stringify(result) + '\n');
    else io.stdout(renderReport(result, details(inv, notices(run))));
    for (const n of notices(run)) io.stderr(`kube-autofix: ${n}\n`);
    return EXIT_BY_OUTCOME[result.outcome];
  } catch (e) {
    const err = asAutofixError(e);
    // The run's link, when its creation (beside the investigation) got that far.
    await run?.settled();
    const result = errorResult(cluster, target, ref, opts.namespace, err, run);
    if (run) await finishRun(run, result);
    stopInterrupt();
    if (opts.json) io.stdout(JSON.stringify(result) + '\n');
    else
      io.stderr(
        `kube-autofix: ${err.describe()}\n${result.tracking ? `MLflow run: ${result.tracking.runUrl}\n` : ''}`,
      );
    for (const n of notices(run)) io.stderr(`kube-autofix: ${n}\n`);
    return err.exitCode;
  }
}
