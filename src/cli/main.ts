#!/usr/bin/env node
// `kube-autofix` command line: diagnose and fix workloads from a terminal; run the Slack bot and the worker.
import { Command, Option } from 'commander';
import { agentVersion } from '../observability/version.js';
import { TARGET_FORM } from '../domain/index.js';
import type { CommandOptions } from './investigate-command.js';
import type { HistoryOptions } from './history-command.js';
import type { RollbackOptions } from './rollback-command.js';
import type { ServiceOptions } from './service-command.js';

const program = new Command('kube-autofix')
  .description(
    'Investigate a Kubernetes workload, propose a minimal validated fix, and apply it on approval.',
  )
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
    .requiredOption(
      '-n, --namespace <namespace>',
      'namespace of the workload (must be in AUTOFIX_NAMESPACES)',
    )
    .option('--json', 'print one JSON object on stdout (progress stays on stderr)')
    .option('-q, --quiet', 'no progress lines on stderr');

common(program.command('diagnose').description('investigate and propose a validated fix; applies nothing'))
  .addOption(
    new Option(
      '--max-iterations <n>',
      'proposal attempts before giving up (default AUTOFIX_MAX_ITERATIONS or 3)',
    ),
  )
  .action(async (target: string, opts: CommandOptions) => {
    // Commands load their modules lazily, so `bot` never loads the agent or the Kubernetes client.
    const { processIo, runInvestigateCommand } = await import('./investigate-command.js');
    process.exitCode = await runInvestigateCommand('diagnose', target, opts, processIo());
  });

common(
  program
    .command('fix')
    .description('diagnose, ask for confirmation, apply, watch the rollout; iterate if it stays unhealthy'),
)
  .option('-y, --yes', 'apply without asking for confirmation')
  .addOption(
    new Option(
      '--max-iterations <n>',
      'proposal attempts before giving up (default AUTOFIX_MAX_ITERATIONS or 3)',
    ),
  )
  .action(async (target: string, opts: CommandOptions) => {
    const { processIo, runInvestigateCommand } = await import('./investigate-command.js');
    process.exitCode = await runInvestigateCommand('fix', target, opts, processIo());
  });

program
  .command('triage')
  .description(
    'list the unhealthy workloads of a namespace with a one-line diagnosis each (one list call per kind, no logs)',
  )
  .requiredOption('-n, --namespace <namespace>', 'the namespace (must be in AUTOFIX_NAMESPACES)')
  .option('--json', 'print one JSON object on stdout')
  .action(async (opts: { namespace: string; json?: boolean }) => {
    const [{ runTriageCommand }, { processIo }] = await Promise.all([
      import('./triage-command.js'),
      import('./investigate-command.js'),
    ]);
    process.exitCode = await runTriageCommand(opts, processIo());
  });

program
  .command('history')
  .description(
    'list past investigations of a workload from MLflow, newest first (a pod or ReplicaSet is first resolved to its workload on the cluster; a workload reads no cluster)',
  )
  .argument('<target>', 'the workload, e.g. deployment/web, or a pod/replicaset it owns')
  .requiredOption('-n, --namespace <namespace>', 'namespace of the workload')
  .option('--json', 'print one JSON object on stdout')
  .option('--limit <n>', 'how many investigations to list (1-50, default 10)')
  .action(async (target: string, opts: HistoryOptions) => {
    const [{ runHistoryCommand }, { processIo }] = await Promise.all([
      import('./history-command.js'),
      import('./investigate-command.js'),
    ]);
    process.exitCode = await runHistoryCommand(target, opts, processIo());
  });

program
  .command('rollback')
  .description(
    'roll an applied proposal back to the pod template from before the change (safe rollback, as the Rollback button), as your kubeconfig',
  )
  .argument('<proposal>', 'the proposal id, as shown under the proposal in Slack (p…)')
  .option('-y, --yes', 'roll back without asking for confirmation')
  .option('--json', 'print one JSON object on stdout')
  .option('-q, --quiet', 'no progress lines on stderr')
  .addHelpText(
    'after',
    "\nReads the proposal from the bot's Redis (REDIS_URL, AUTOFIX_QUEUE_PREFIX); AUTOFIX_NAMESPACES is re-checked.",
  )
  .action(async (id: string, opts: RollbackOptions) => {
    const [{ runRollbackCommand }, { processIo }] = await Promise.all([
      import('./rollback-command.js'),
      import('./investigate-command.js'),
    ]);
    process.exitCode = await runRollbackCommand(id, opts, processIo());
  });

const SERVICE_ENV = `
Environment: REDIS_URL (default redis://127.0.0.1:6379), SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN
for Socket Mode), SLACK_API_URL, AUTOFIX_NAMESPACES, AUTOFIX_APPROVERS, AUTOFIX_CHANNEL_NAMESPACES,
AUTOFIX_PROPOSAL_TTL, AUTOFIX_QUEUE_PREFIX, AUTOFIX_WORKER_CONCURRENCY, AUTOFIX_JOB_LOCK, PORT, LOG_LEVEL.
Logs are JSON lines on stderr. SIGTERM/SIGINT stop cleanly (active jobs finish or are handed back).`;

const service = (name: 'bot' | 'worker' | 'start', description: string, extra: string): void => {
  program
    .command(name)
    .description(description)
    .option(
      '-p, --port <port>',
      'HTTP port for /healthz and /metrics (and /slack/events); default PORT or 3000',
    )
    .addHelpText('after', `${extra}${SERVICE_ENV}`)
    .action(async (opts: ServiceOptions) => {
      const { runServiceCommand } = await import('./service-command.js');
      // Open connections would keep the process alive: exit explicitly once stopped.
      process.exit(await runServiceCommand(name, opts));
    });
};

service(
  'bot',
  'run the Slack bot: /autofix and the Approve/Reject/Rollback buttons; it only enqueues and posts (no cluster credentials)',
  '\nServes POST /slack/events (HTTP mode), GET /healthz (Redis reachable) and GET /metrics.',
);
service(
  'worker',
  'run a queue worker: investigations, approved applies and rollbacks (needs KUBECONFIG or in-cluster credentials)',
  '\nServes GET /healthz and GET /metrics on --port.',
);
service(
  'start',
  'run the bot and a worker in one process (local use)',
  '\nServes everything the bot serves; the worker shares its /metrics.',
);

program
  .command('eval')
  .description(
    'run the eval cases (one folder each) on the cluster and report accuracy, heal rate and calibration; with --replay, re-run recorded investigations from MLflow offline',
  )
  .option('--cases <dir>', 'folder of eval cases', 'eval/cases')
  .option('--only <names>', 'comma list of case folder names')
  .option('--no-fix', 'diagnose only: do not apply proposals (no heal rate)')
  .option('--parallel <n>', 'cases at once (default 1; 4 with --replay)')
  .option('--repeat <k>', 'runs of each case (pass@1 and pass^k)', '1')
  .option('--prices <file>', 'JSON price table, USD per 1M tokens per model, over the built-in one')
  .option('--experiment <name>', 'MLflow experiment of the suite or evaluation run', 'kube-autofix-eval')
  .option('--json', 'print one JSON object on stdout')
  .option(
    '--replay <run|experiment>',
    'replay the bundles of an investigation run, a sandbox eval suite run, or every run of an experiment, with no cluster',
  )
  .option('--since <duration>', 'with --replay: only recordings this recent (e.g. 30d)')
  .option('--only-labelled', 'with --replay: only cases with a verdict, feedback or a confirmed category')
  .option('--max <n>', 'with --replay: at most this many cases, newest first (default 200)')
  .option(
    '--engine <rules|llm>',
    'with --replay: the engine (default llm when OPENAI_API_KEY is set, else rules)',
  )
  .option('--model <name>', 'with --replay: the model of the llm engine (over AUTOFIX_MODEL)')
  .action(
    async (opts: {
      cases: string;
      only?: string;
      fix: boolean;
      parallel?: string;
      repeat: string;
      prices?: string;
      experiment: string;
      json?: boolean;
      replay?: string;
      since?: string;
      onlyLabelled?: boolean;
      max?: string;
      engine?: string;
      model?: string;
    }) => {
      const only = opts.only ? opts.only.split(',').map((s) => s.trim()) : [];
      const parallel = opts.parallel === undefined ? undefined : Number(opts.parallel);
      const { processIo } = await import('./investigate-command.js');
      if (opts.replay !== undefined) {
        const { runReplayCommand } = await import('./eval/replay-command.js');
        process.exitCode = await runReplayCommand(
          {
            ...opts,
            replay: opts.replay,
            parallel,
            max: opts.max === undefined ? undefined : Number(opts.max),
          },
          processIo(),
        );
        return;
      }
      const { runEvalCommand } = await import('./eval/eval-command.js');
      process.exitCode = await runEvalCommand(
        { ...opts, only, parallel, repeat: Number(opts.repeat) },
        processIo(),
      );
    },
  );

await program.parseAsync(process.argv);
