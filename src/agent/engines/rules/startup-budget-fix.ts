// Give a slow-starting container more start-up time: raise its startup probe's failureThreshold, within a cap.
import type { Evidence, Finding } from '../../../domain/index.js';
import { findContainer, workloadTemplate } from '../../analyzers/pod-template.js';
import type { FixResult } from './candidate.js';

/** The most start-up time (periodSeconds × failureThreshold) the rule engine will grant: 10 minutes. */
export const MAX_STARTUP_BUDGET_SECONDS = 600;

/** Twice the current budget, in whole periods, never above the cap; null when already at the cap. */
export function nextFailureThreshold(periodSeconds: number, failureThreshold: number): number | null {
  const cap = Math.max(1, Math.floor(MAX_STARTUP_BUDGET_SECONDS / Math.max(1, periodSeconds)));
  const next = Math.min(failureThreshold * 2, cap);
  return next > failureThreshold ? next : null;
}

/**
 * Only when the app is still starting when killed: the startup probe fails by connection refused or
 * timeout (nothing listens yet) on a port the container declares; a wrong port is the port fix's job.
 */
function slowStart(finding: Finding): boolean {
  return (
    finding.category === 'probe_failure' &&
    finding.facts.probe === 'startup' &&
    finding.facts.portMismatch !== true &&
    (finding.facts.failureKind === 'connection_refused' || finding.facts.failureKind === 'timeout')
  );
}

export function startupBudgetFix(finding: Finding, evidence: Evidence): FixResult | null {
  if (!slowStart(finding) || finding.container === null) return null;
  const spec = findContainer(workloadTemplate(evidence), finding.container);
  const probe = spec?.probes.find((p) => p.kind === 'startup');
  if (!spec || !probe) return null;
  const budget = probe.periodSeconds * probe.failureThreshold;
  const next = nextFailureThreshold(probe.periodSeconds, probe.failureThreshold);
  if (next === null)
    return {
      kind: 'startup_budget',
      change: null,
      humanAction: `Container ${spec.name} still does not answer its startup probe after ${budget} s, the most start-up time kube-autofix grants (${MAX_STARTUP_BUDGET_SECONDS} s): find out why it starts so slowly or never listens (logs, dependencies), or raise the budget by hand.`,
      notes: [`The startup budget ${budget} s is already at the cap of ${MAX_STARTUP_BUDGET_SECONDS} s.`],
    };
  const nextBudget = probe.periodSeconds * next;
  return {
    kind: 'startup_budget',
    change: {
      summary: [
        `give container ${spec.name} ${nextBudget} s to start instead of ${budget} s (startupProbe failureThreshold ${probe.failureThreshold} → ${next}, periodSeconds ${probe.periodSeconds})`,
      ],
      patch: [{ op: 'replace', path: `${probe.pointer}/failureThreshold`, value: next }],
    },
    because: `The kubelet kills it before it has started: its startup probe allows only ${budget} s.`,
    notes: [
      `Start-up budgets are raised at most to ${MAX_STARTUP_BUDGET_SECONDS} s; if the container still does not start, the cause is not the budget.`,
    ],
  };
}
