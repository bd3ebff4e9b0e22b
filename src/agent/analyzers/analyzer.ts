// The Analyzer interface: one pure check per failure class, evidence in, findings (with their quotes) out.
import type { Category, Evidence, Finding } from '../../domain/index.js';

/**
 * Every finding an analyzer returns carries two facts engines rely on (see make-finding.ts):
 * - `signal`: how directly the evidence names the cause — `explicit` (a kubelet/scheduler/API reason
 *   such as OOMKilled or "exceeded quota"), `inferred` (derived from status, e.g. exit code 137 without
 *   a reason), or `heuristic` (pattern-matched from log lines);
 * - `sources`: the comma-separated independent sources that agree (status, events, logs, references,
 *   spec, nodes, quotas).
 */
export interface Analyzer {
  readonly name: string;
  readonly category: Category;
  analyze(evidence: Evidence): Finding[];
}
