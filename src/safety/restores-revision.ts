// Whether a change returns the whole pod template to one of the workload's own earlier revisions (a rollback).
import type { KubeObject } from '../domain/index.js';
import { deepEqual } from '../domain/json-access.js';
import { podTemplate } from './pod-view.js';

/**
 * True when the resulting template equals a revision's template (both redacted): what it runs is what
 * the owner ran before, so its behaviour changes are not new, whoever proposes them.
 */
export function restoresRevision(
  proposed: KubeObject,
  previousTemplates: readonly KubeObject[] = [],
): boolean {
  const template = podTemplate(proposed);
  return previousTemplates.some((t) => deepEqual(t, template));
}
