#!/usr/bin/env node
// `kube-autofix` command line: diagnose and fix workloads from a terminal.
import { Command, Option } from 'commander';
import { agentVersion } from '../observability/version.js';
import { TARGET_FORM } from '../domain/index.js';
import { processIo, runInvestigateCommand, type CommandOptions } from './investigate-command.js';
import { runEvalCommand } from './eval/eval-command.js';

const program = new Command('kube-autofix')
  .description('Investigate a Kubernetes workload, propose a minimal validated fix, and apply it on approval.')
  .version(agentVersion())
  .showHelpAfterError()
  .addHelpText(
    'after',
    `\nTargets: ${TARGET_FORM}\nExit codes: 0 success, 1 no safe fix / fix did not heal, 2 bad input or refused, 3 infrastructure error.\nConfiguration is read from the environment (AUTOFIX_NAMESPACES is required); see the README.`,
  );

// Set before subcommands are added: they inherit it.
program.exitOverride((err) => {
  // Usage errors are "bad input" in our exit-code contract; --help and --version are success.
  process.exit(err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2);
});

const common = (cmd: Command): Command =>
  cmd
    .argument('<target>', 'the workload, e.g. deployment/web')
    .requiredOption('-n, --namespace <namespace>', 'namespace of the workload (must be in AUTOFIX_NAMESPACES)')
    .option('--json', 'print one JSON object on stdout (progress stays on stderr)')
    .option('-q, --quiet', 'no progress lines on stderr');

common(program.command('diagnose').description('investigate and propose a validated fix; applies nothing'))
  .addOption(new Option('--max-iterations <n>', 'proposal attempts before giving up (default AUTOFIX_MAX_ITERATIONS or 3)'))
  .action(async (target: string, opts: CommandOptions) => {
    process.exitCode = await runInvestigateCommand('diagnose', target, opts, processIo());
  });

common(program.command('fix').description('diagnose, ask for confirmation, apply, watch the rollout; iterate if it stays unhealthy'))
  .option('-y, --yes', 'apply without asking for confirmation')
  .addOption(new Option('--max-iterations <n>', 'proposal attempts before giving up (default AUTOFIX_MAX_ITERATIONS or 3)'))
  .action(async (target: string, opts: CommandOptions) => {
    process.exitCode = await runInvestigateCommand('fix', target, opts, processIo());
  });

program
  .command('eval')
  .description('run the eval cases (one folder each) on the cluster and report accuracy, heal rate and calibration')
  .option('--cases <dir>', 'folder of eval cases', 'eval/cases')
  .option('--only <names>', 'comma list of case folder names')
  .option('--fix', 'also apply each proposal (automatic approval) and check that it heals')
  .option('--json', 'print one JSON object on stdout')
  .action(async (opts: { cases: string; only?: string; fix?: boolean; json?: boolean }) => {
    const only = opts.only ? opts.only.split(',').map((s) => s.trim()) : [];
    process.exitCode = await runEvalCommand({ ...opts, only }, processIo());
  });

await program.parseAsync(process.argv);
