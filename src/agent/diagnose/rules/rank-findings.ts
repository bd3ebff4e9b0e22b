// Orders findings so the first one is the root cause the rule engine acts on.
import type { Category, Finding } from '../../../domain/index.js';

const SEVERITY: Record<Finding['severity'], number> = { critical: 0, warning: 1, info: 2 };

// Upstream blockers before symptoms: config/image/quota/scheduling stop a pod before it runs, so a crash or probe failure can follow from them; OOM is the kernel's explicit verdict on a running container, a crash is inferred, probe failures often follow crashes.
const CATEGORY_ORDER: Category[] = [
  'missing_config',
  'image_pull',
  'quota_exceeded',
  'unschedulable',
  'oom_killed',
  'crash_loop',
  'probe_failure',
  'unknown',
  'healthy',
];

/** Severity first, then category priority; stable otherwise (analyzer order). */
export function rankFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY[a.severity] - SEVERITY[b.severity] ||
      CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category),
  );
}
