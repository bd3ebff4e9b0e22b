// The safety policy: judges the object a change would produce (never anyone's description of it).
import type { PolicyResult } from '../domain/index.js';
import { caps } from './caps.js';
import type { PolicyConfig, PolicyInput, PolicyRule } from './policy-rule.js';
import { podSecurity } from './pod-security.js';
import { schedulingGuard } from './scheduling-guard.js';
import { scopeLock } from './scope-lock.js';
import { secretReferences } from './secret-references.js';
import { visibleText } from './visible-text.js';

export type { PolicyConfig, PolicyInput, PolicyRule };

/** Run in this order; the result lists violations rule by rule, each rule in its own fixed order. */
export const POLICY_RULES: ReadonlyArray<readonly [string, PolicyRule]> = [
  ['scope-lock', scopeLock],
  ['visible-text', visibleText],
  ['scheduling-guard', schedulingGuard],
  ['secret-references', secretReferences],
  ['pod-security', podSecurity],
  ['caps', caps],
];

/** Every violation of every rule; `ok` only when there are none. A rule that throws counts as a violation. */
export function evaluatePolicy(input: PolicyInput): PolicyResult {
  const violations: string[] = [];
  for (const [name, rule] of POLICY_RULES) {
    try {
      violations.push(...rule(input));
    } catch (e) {
      // Fail closed: a rule that cannot judge the object must not let it through.
      violations.push(
        `policy rule ${name} could not evaluate the change: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  const unique = [...new Set(violations)];
  return { ok: unique.length === 0, violations: unique };
}
