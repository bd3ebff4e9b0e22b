// The safety policy: judges the object a change would produce (never anyone's description of it).
import type { PolicyResult } from '../domain/index.js';
import { behaviourChanges, MAX_FLAGGED_TOTAL } from './behaviour-changes.js';
import { capacityCuts, caps } from './caps.js';
import { guards } from './guards.js';
import { irreversibleLoss } from './irreversible-loss.js';
import {
  refuses,
  type JudgingRule,
  type PolicyConfig,
  type PolicyInput,
  type PolicyRule,
} from './policy-rule.js';
import { podSecurity } from './pod-security.js';
import { schedulingGuard } from './scheduling-guard.js';
import { scopeLock } from './scope-lock.js';
import { secretReferences } from './secret-references.js';
import { traffic } from './traffic.js';
import { unjudgedFields } from './unjudged-fields.js';
import { visibleText } from './visible-text.js';

export type { PolicyConfig, PolicyInput, PolicyRule };

/** Run in this order; the result lists violations (and flags) rule by rule, each rule in its own fixed order. */
export const POLICY_RULES: ReadonlyArray<readonly [string, JudgingRule]> = [
  ['scope-lock', refuses(scopeLock)],
  ['visible-text', refuses(visibleText)],
  ['scheduling-guard', refuses(schedulingGuard)],
  ['secret-references', refuses(secretReferences)],
  ['pod-security', refuses(podSecurity)],
  ['caps', refuses(caps)],
  ['capacity-cuts', capacityCuts],
  ['guards', guards],
  ['irreversible-loss', irreversibleLoss],
  ['traffic', traffic],
  ['behaviour-changes', behaviourChanges],
  ['unjudged-fields', unjudgedFields],
];

/** The policy's word: refusals (`ok` only when there are none), and flags an approver must read before applying. */
export type PolicyVerdict = PolicyResult & { flags: string[] };

/** Every violation and flag of every rule. A rule that throws counts as a violation. */
export function evaluatePolicy(input: PolicyInput): PolicyVerdict {
  const violations: string[] = [];
  const flags: string[] = [];
  for (const [name, rule] of POLICY_RULES) {
    try {
      const judged = rule(input);
      violations.push(...judged.violations);
      flags.push(...judged.flags);
    } catch (e) {
      // Fail closed: a rule that cannot judge the object must not let it through.
      violations.push(
        `policy rule ${name} could not evaluate the change: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  const shown = [...new Set(flags)];
  const total = shown.reduce((n, f) => n + f.length, 0);
  if (total > MAX_FLAGGED_TOTAL)
    violations.push(
      `the flagged changes come to ${total} characters, too many to show an approver in full (at most ${MAX_FLAGGED_TOTAL}); propose a smaller change`,
    );
  const unique = [...new Set(violations)];
  return { ok: unique.length === 0, violations: unique, flags: shown };
}
