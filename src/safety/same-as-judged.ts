// The last gate before the cluster: the object the real operations produce, redacted, must be the object the policy judged.
import type { KubeObject } from '../domain/index.js';
import { diffPaths, formatPath } from './diff-paths.js';
import { NO_KNOWN_VALUES, type KnownValues } from './known-values.js';
import { redactObject } from './redact.js';

/**
 * Paths where what would be sent (`sent`: the unredacted live object with the rehydrated operations
 * applied) differs from what was judged and shown (`judged`: the redacted live object with the
 * proposed operations applied), once both are redacted. Any difference means a restored value is
 * not the value that was judged — for instance a masked value moved to a name that no longer masks it.
 * `known` is the matcher the evidence was redacted with.
 */
export function sameAsJudged(
  sent: KubeObject,
  judged: KubeObject,
  known: KnownValues = NO_KNOWN_VALUES,
): string[] {
  return diffPaths(redactObject(sent, known), redactObject(judged, known)).map(
    (p) =>
      `${formatPath(p) || '(the object)'} would be sent with a value other than the one judged and shown`,
  );
}
