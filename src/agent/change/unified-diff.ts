// Unified diff of two workloads as YAML, the form people review in Slack and MLflow.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import { stringify } from 'yaml';
import type { KubeObject } from '../../domain/index.js';
import { reviewManifests } from '../collect/clean-manifest.js';

/** YAML in the objects' own key order; no line folding, so one changed value is one changed line. */
export function toYaml(obj: KubeObject): string {
  return stringify(obj, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
}

/**
 * `--- a/<label>` / `+++ b/<label>` diff with 3 lines of context of the reviewed manifests (cleaned,
 * but keeping any hidden field the change touches),
 * e.g. label `deployment/web`. Empty string when the manifests are the same.
 */
export function unifiedDiff(before: KubeObject, after: KubeObject, label: string): string {
  const [cleanBefore, cleanAfter] = reviewManifests(before, after);
  const a = toYaml(cleanBefore);
  const b = toYaml(cleanAfter);
  if (a === b) return '';
  return createTwoFilesPatch(`a/${label}`, `b/${label}`, a, b, undefined, undefined, {
    context: 3,
    headerOptions: FILE_HEADERS_ONLY,
  });
}
