// `kube-autofix rollback <proposal>`: the workflow's decision and safe rollback, from a terminal, as the kubeconfig's identity.
import type { Config } from '../config/config.js';
import { loadConfig } from '../config/config.js';
import { AutofixError, ErrorCode, asAutofixError, describeTarget } from '../domain/index.js';
import { createKubeCluster } from '../k8s/kube-cluster.js';
import { createLogger } from '../observability/logger.js';
import { keySpace } from '../queue/key-space.js';
import { closeRedis, createRedisConnection, describeRedis, waitReady } from '../queue/redis-connection.js';
import { oneClusterPolicy } from '../workflow/decision-checks.js';
import { createRedisProposalStore } from '../store/redis-proposal-store.js';
import { createTracker } from '../tracking/create-tracker.js';
import type { ApplyOutcome } from '../workflow/apply-change.js';
import { decide } from '../workflow/decide.js';
import type { StoredProposal } from '../workflow/proposal-record.js';
import type { ProposalStore } from '../workflow/proposal-store.js';
import { rollbackApplied } from '../workflow/rollback.js';
import type { WorkflowDeps } from '../workflow/workflow-ports.js';
import { decisionRefusalReason } from '../workflow/decision-refusal.js';
import type { CommandIo } from './investigate-command.js';
import { terminalNotifier } from './terminal-notifier.js';

export interface RollbackOptions {
  yes?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export interface RollbackResult {
  proposalId: string;
  target: StoredProposal['target'] | null;
  outcome: 'rolled_back' | 'refused' | 'error';
  healthy: boolean | null;
  message: string | null;
  error: string | null;
}

/** Ports for the in-process rollback: the caller's kubeconfig, the shared store, a terminal notifier. */
function rollbackDeps(
  config: Config,
  store: ProposalStore,
  opts: RollbackOptions,
  io: CommandIo,
  seen: { out: ApplyOutcome | null; refusal: string | null },
): WorkflowDeps {
  const notifier = terminalNotifier({ stderr: io.stderr, quiet: opts.quiet, showProposal: false });
  const logger = createLogger(io.env.LOG_LEVEL || 'warn');
  return {
    store,
    notifier: {
      ...notifier,
      async outcome(r, o) {
        if (o.kind === 'rolled_back') seen.out = o.out;
        await notifier.outcome(r, o);
      },
      async refusal(r, reason) {
        seen.refusal = reason;
        await notifier.refusal(r, reason);
      },
    },
    cluster: createKubeCluster({ kubeconfig: config.kubeconfig ?? undefined }),
    tracker: createTracker(config, logger, { onTrackingWarning: (w) => logger.debug({ tracking: w }) }),
    // The person at the terminal decides; the kubeconfig's RBAC is what the API server checks.
    authority: { isApprover: async () => true },
    clock: { now: Date.now },
    config,
    // The kubeconfig is one cluster's: a proposal of another cluster (AUTOFIX_CLUSTER) is refused, nothing touched.
    decisions: oneClusterPolicy(config.cluster, config.namespaces, true),
    nextRound: async () => undefined,
  };
}

function summary(record: StoredProposal): string {
  const by = record.decidedBy ? ` (approved by ${record.decidedBy})` : '';
  return `Proposal ${record.id}: ${describeTarget(record.target)}, ${record.state}${by}.`;
}

async function rollBack(
  id: string,
  opts: RollbackOptions,
  io: CommandIo,
  config: Config,
  store: ProposalStore,
): Promise<RollbackResult> {
  const base = { proposalId: id, target: null, healthy: null, message: null, error: null };
  const record = await store.get(id);
  if (!record)
    throw new AutofixError(ErrorCode.TargetNotFound, `Proposal ${id} is not stored.`, {
      hint: 'Proposals are kept for 7 days after their last change; the id is shown under each proposal in Slack (`proposal p…`). Check REDIS_URL and AUTOFIX_QUEUE_PREFIX point at the bot’s Redis.',
    });
  io.stderr(`${summary(record)}\n`);
  if (!opts.yes) {
    if (!io.isTty)
      throw new AutofixError(
        ErrorCode.BadInput,
        'rollback asks for confirmation, but there is no terminal.',
        {
          hint: 'Run it in a terminal, or pass --yes.',
        },
      );
    if (
      !(await io.confirm(
        `Roll ${describeTarget(record.target)} back to its template from before the change?`,
      ))
    )
      return { ...base, target: record.target, outcome: 'refused', error: 'declined at the prompt' };
  }
  const by = `cli (${io.env.USER ?? 'terminal'})`;
  const seen = { out: null as ApplyOutcome | null, refusal: null as string | null };
  const deps = rollbackDeps(config, store, opts, io, seen);
  const res = await decide(deps, id, 'rollback', by);
  if (res.kind !== 'decided') {
    const why =
      res.kind === 'refused'
        ? res.reason
        : decisionRefusalReason(res.kind === 'missing' ? null : res.record, 'rollback') ||
          'Nothing to roll back.';
    return { ...base, target: record.target, outcome: 'refused', error: why };
  }
  const word = await rollbackApplied(deps, id, by, { finalAttempt: true });
  if (word !== 'rolled_back' || !seen.out)
    return { ...base, target: record.target, outcome: 'refused', error: seen.refusal ?? word };
  return {
    ...base,
    target: record.target,
    outcome: 'rolled_back',
    healthy: seen.out.rolloutHealthy,
    message: seen.out.message,
  };
}

/** Exit codes as for `fix`: 0 rolled back and healthy, 1 rolled back but not healthy, 2 refused, 3 infrastructure. */
export async function runRollbackCommand(id: string, opts: RollbackOptions, io: CommandIo): Promise<number> {
  let result: RollbackResult;
  let code: number;
  let redis: ReturnType<typeof createRedisConnection> | null = null;
  try {
    const config = loadConfig(io.env);
    redis = createRedisConnection(config.redis, 'producer');
    if (!(await waitReady(redis, 10_000)))
      throw new AutofixError(
        ErrorCode.ClusterUnreachable,
        `Redis at ${describeRedis(config.redis)} does not answer.`,
        {
          hint: 'The proposals live in the bot’s Redis: set REDIS_URL (and AUTOFIX_QUEUE_PREFIX) as the bot has them.',
        },
      );
    const store = createRedisProposalStore(redis, keySpace(config.queue.prefix));
    result = await rollBack(id, opts, io, config, store);
    code = result.outcome === 'rolled_back' ? (result.healthy ? 0 : 1) : 2;
  } catch (e) {
    const err = asAutofixError(e);
    result = {
      proposalId: id,
      target: null,
      outcome: 'error',
      healthy: null,
      message: null,
      error: err.describe(),
    };
    code = err.exitCode;
  } finally {
    if (redis) await closeRedis(redis);
  }
  if (opts.json) io.stdout(JSON.stringify(result) + '\n');
  else if (result.outcome === 'rolled_back')
    io.stdout(
      `Rolled back ${describeTarget(result.target!)}: ${result.healthy ? 'healthy' : 'not healthy'} — ${result.message ?? ''}\n`,
    );
  else io.stderr(`kube-autofix: ${result.error ?? 'not rolled back'}\n`);
  return code;
}
