// The CLI's Notifier: rollout progress and outcomes to stderr, the proposal through the report renderer.
import type { InvestigationResult } from '../domain/index.js';
import type { StoredProposal } from '../workflow/proposal-record.js';
import type { Notifier } from '../workflow/workflow-ports.js';
import { resultDiagnosis, resultProposal } from '../agent/investigate.js';
import { renderReport } from './render-report.js';

export interface TerminalNotifierOptions {
  stderr: (s: string) => void;
  /** No progress lines. */
  quiet?: boolean;
  /** Print the proposal before asking (false with --yes: nobody reads it before the apply). */
  showProposal: boolean;
}

/** The stored proposal as the report the CLI prints for an investigation that proposed it. */
export function proposalResult(record: StoredProposal): InvestigationResult {
  return {
    cluster: record.cluster,
    target: record.target,
    outcome: 'proposed',
    diagnosis: resultDiagnosis(record.diagnosis),
    proposal: resultProposal(record.proposal),
    validation: record.proposal.validation,
    apply: null,
    iterations: record.iteration,
    tracking: record.runId && record.runUrl ? { runId: record.runId, runUrl: record.runUrl } : null,
    error: null,
  };
}

export function terminalNotifier(opts: TerminalNotifierOptions): Notifier {
  return {
    progress(_record, line) {
      if (!opts.quiet) opts.stderr(`[apply] rollout: ${line}\n`);
    },
    async proposal(record) {
      if (!opts.showProposal) return;
      opts.stderr(
        renderReport(proposalResult(record), {
          notes: record.diagnosis?.notes ?? [],
          attempts: record.attempts.map((a) => `iteration ${a.iteration}: ${a.errors.join('; ')}`),
        }),
      );
    },
    // The report prints the whole diff; `--yes` approves without showing, and refuses flagged changes.
    showsWhole: () => true,
    async outcome(record, o) {
      if (o.kind === 'budget_spent')
        opts.stderr(
          `kube-autofix: the applied change did not heal the workload and no iterations are left.\n`,
        );
      else if (o.kind === 'applied' && !o.out.rolloutHealthy && !opts.quiet)
        opts.stderr(`kube-autofix: applied (approved by ${o.by}) but not healthy: ${o.out.message}\n`);
    },
    async refusal(_record, reason) {
      opts.stderr(`kube-autofix: ${reason}\n`);
    },
  };
}
