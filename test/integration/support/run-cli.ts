// Runs the real `diagnose`/`fix`/`history` commands in-process with captured output, against the sandbox.
import { runHistoryCommand, type HistoryOptions } from '../../../src/cli/history-command.js';
import {
  runInvestigateCommand,
  type CommandIo,
  type CommandOptions,
} from '../../../src/cli/investigate-command.js';
import { runRollbackCommand, type RollbackOptions } from '../../../src/cli/rollback-command.js';
import { InvestigationResult } from '../../../src/domain/index.js';
import { sandboxEnv } from '../sandbox-env.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The parsed `--json` object (validated against the public schema). */
  json: InvestigationResult;
}

/** The human report instead of `--json`. */
export async function runCliHuman(
  mode: 'diagnose' | 'fix',
  target: string,
  opts: CommandOptions,
  env: Record<string, string | undefined>,
): Promise<Omit<CliRun, 'json'>> {
  return run(mode, target, { ...opts, json: false }, env);
}

export async function runCli(
  mode: 'diagnose' | 'fix',
  target: string,
  opts: CommandOptions,
  env: Record<string, string | undefined>,
): Promise<CliRun> {
  const r = await run(mode, target, { json: true, ...opts }, env);
  return { ...r, json: InvestigationResult.parse(JSON.parse(r.stdout)) };
}

/** Runs a command with a non-interactive io that captures both streams. */
export async function captured(
  env: Record<string, string | undefined>,
  command: (io: CommandIo) => Promise<number>,
): Promise<Omit<CliRun, 'json'>> {
  let stdout = '';
  let stderr = '';
  const io: CommandIo = {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    env,
    isTty: false,
    confirm: async () => false,
  };
  const code = await command(io);
  return { code, stdout, stderr };
}

function run(
  mode: 'diagnose' | 'fix',
  target: string,
  opts: CommandOptions,
  env: Record<string, string | undefined>,
): Promise<Omit<CliRun, 'json'>> {
  const withSandbox = { KUBECONFIG: sandboxEnv().KUBECONFIG, AUTOFIX_ROLLOUT_TIMEOUT: '90s', ...env };
  return captured(withSandbox, (io) => runInvestigateCommand(mode, target, opts, io));
}

/** `history` as typed: env as given (no sandbox KUBECONFIG added, so a test can show a workload needs none). */
export function runHistory(
  target: string,
  opts: HistoryOptions,
  env: Record<string, string | undefined>,
): Promise<Omit<CliRun, 'json'>> {
  return captured(env, (io) => runHistoryCommand(target, opts, io));
}

/** `rollback <proposal>` with the sandbox's kubeconfig and `env` (REDIS_URL, AUTOFIX_QUEUE_PREFIX…). */
export function runRollback(
  proposalId: string,
  opts: RollbackOptions,
  env: Record<string, string | undefined>,
): Promise<Omit<CliRun, 'json'>> {
  return captured({ KUBECONFIG: sandboxEnv().KUBECONFIG, AUTOFIX_ROLLOUT_TIMEOUT: '30s', ...env }, (io) =>
    runRollbackCommand(proposalId, opts, io),
  );
}
