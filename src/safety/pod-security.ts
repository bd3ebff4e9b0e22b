// Pod Security rule: the resulting pod template meets the Pod Security Standards level the policy names.
import { asRecord, getIn } from '../domain/json-access.js';
import { podSecurityBaseline } from './pod-security-baseline.js';
import { podSecurityRestricted } from './pod-security-restricted.js';
import type { PolicyInput } from './policy-rule.js';
import { podTemplate } from './pod-view.js';

/**
 * Judges the whole resulting pod, not just what changed: a change to a workload that already breaks
 * the standard would start new pods with those privileges, so it is refused as well.
 */
export function podSecurity({ proposed, policy }: PolicyInput): string[] {
  const template = podTemplate(proposed);
  const pod = {
    spec: asRecord(template.spec),
    annotations: asRecord(getIn(template, ['metadata', 'annotations'])),
  };
  const baseline = podSecurityBaseline(pod);
  return policy.level === 'restricted' ? [...baseline, ...podSecurityRestricted(pod)] : baseline;
}
