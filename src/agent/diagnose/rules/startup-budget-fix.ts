// Give a slow-starting container more start-up time: raise its startup probe's budget, or add one on the liveness
// endpoint when liveness kills it before it listens; always within a cap.
import type { Evidence, Finding } from '../../../domain/index.js';
import { asArray, asNumber, asRecord, getIn } from '../../../domain/json-access.js';
import { findContainer, workloadTemplate, type ContainerSpec } from '../../analyzers/pod-template.js';
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

/** The container as written in the workload (the summary keeps no probe timing beyond period and threshold). */
function rawContainer(evidence: Evidence, spec: ContainerSpec): Record<string, unknown> {
  const [list, index] = spec.pointer.split('/').slice(-2);
  return asRecord(asArray(getIn(evidence.workload, ['spec', 'template', 'spec', list ?? '']))[Number(index)]);
}

/**
 * Liveness kills the container while nothing listens yet (connection refused or timeout on a declared port)
 * and no startup probe protects its start: add one on the liveness endpoint with twice the time liveness
 * allowed, so liveness only starts once the app is up.
 */
function addStartupProbe(finding: Finding, evidence: Evidence): FixResult | null {
  const f = finding.facts;
  const refused = f.failureKind === 'connection_refused' || f.failureKind === 'timeout';
  if (f.probe !== 'liveness' || f.portMismatch === true || !refused || !(Number(f.restartsByProbe) > 0))
    return null;
  const spec = findContainer(workloadTemplate(evidence), finding.container ?? '');
  const liveness = spec?.probes.find((p) => p.kind === 'liveness');
  if (!spec || !liveness || spec.probes.some((p) => p.kind === 'startup')) return null;
  if (liveness.handler === 'exec' || liveness.handler === 'none') return null;
  const raw = asRecord(rawContainer(evidence, spec).livenessProbe);
  const period = liveness.periodSeconds;
  const budget = (asNumber(raw.initialDelaySeconds) ?? 0) + period * liveness.failureThreshold;
  const threshold = Math.min(
    Math.ceil((2 * budget) / period),
    Math.floor(MAX_STARTUP_BUDGET_SECONDS / period),
  );
  if (threshold * period <= budget) return null;
  const probe = {
    [liveness.handler]: raw[liveness.handler],
    periodSeconds: period,
    failureThreshold: threshold,
  };
  return {
    kind: 'startup_budget',
    change: {
      summary: [
        `give container ${spec.name} ${threshold * period} s to start: add a startup probe on its liveness endpoint (${liveness.handler}, every ${period} s, failureThreshold ${threshold}); liveness allowed only ${budget} s`,
      ],
      patch: [{ op: 'add', path: `${spec.pointer}/startupProbe`, value: probe }],
    },
    because: `The liveness probe kills it before it listens: it allows only ${budget} s and no startup probe protects the start.`,
    notes: [
      `Liveness and readiness probes wait until the startup probe passes; start-up budgets are raised at most to ${MAX_STARTUP_BUDGET_SECONDS} s.`,
    ],
  };
}

export function startupBudgetFix(finding: Finding, evidence: Evidence): FixResult | null {
  if (!slowStart(finding) || finding.container === null) return addStartupProbe(finding, evidence);
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
