// Code-execution flags: new commands, args, exec probes and image sources that no earlier revision ran, shown to the approver in full.
import type { KubeObject } from '../domain/index.js';
import { asRecord, asString, deepEqual, getIn, type JsonRecord } from './object-access.js';
import { parseImage } from './parse-image.js';
import type { PolicyConfig } from './policy-rule.js';
import { containersByKey } from './pod-view.js';

/** Beyond this a value could not be shown whole in one Slack section, so the change is refused instead. */
export const MAX_FLAGGED_VALUE = 2000;

/** All flags together stay within what one Slack message can show whole. */
export const MAX_FLAGGED_TOTAL = 6000;

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

export interface CodeExecutionInput {
  live: KubeObject;
  proposed: KubeObject;
  /** Pod templates of earlier revisions: restoring one of their values is not new code. */
  previousTemplates: readonly KubeObject[];
  policy: Pick<PolicyConfig, 'allowedRegistries'>;
}

export interface CodeExecutionResult {
  /** Shown prominently and in full to the approver. */
  flags: string[];
  /** New code too long to show in full: refused. */
  violations: string[];
}

const label = (key: string): string =>
  `${key.startsWith('init') ? 'init container' : 'container'} ${key.slice(key.indexOf('/') + 1)}`;

/** The fields of a container that decide what it runs: command, args and each exec probe's command. */
function runnables(c: JsonRecord | undefined): Array<[string, unknown]> {
  return [
    ['command', c?.command],
    ['args', c?.args],
    ...PROBES.map((p): [string, unknown] => [`${p}.exec.command`, getIn(c, [p, 'exec', 'command'])]),
  ];
}

function registryOf(image: unknown): string | null {
  const s = asString(image);
  const ref = s === null ? null : parseImage(s);
  return ref === null ? null : `${ref.registry}/${ref.repository}`;
}

/** Flags every changed runnable that does not restore a previous revision's value for the same container. */
export function codeExecutionFlags(input: CodeExecutionInput): CodeExecutionResult {
  const live = containersByKey(asRecord(getIn(input.live, ['spec', 'template', 'spec'])));
  const previous = input.previousTemplates.map((t) => containersByKey(asRecord(getIn(t, ['spec']))));
  const out: CodeExecutionResult = { flags: [], violations: [] };
  for (const [key, c] of containersByKey(asRecord(getIn(input.proposed, ['spec', 'template', 'spec'])))) {
    const before = new Map(runnables(live.get(key)));
    const earlier = previous.map((p) => new Map(runnables(p.get(key))));
    for (const [field, value] of runnables(c)) {
      if (value === undefined || deepEqual(before.get(field), value)) continue;
      if (earlier.some((m) => deepEqual(m.get(field), value))) continue;
      const shown = JSON.stringify(value);
      if (shown.length > MAX_FLAGGED_VALUE) {
        out.violations.push(
          `${label(key)}: the new ${field} is ${shown.length} characters long, too long to show an approver in full (at most ${MAX_FLAGGED_VALUE})`,
        );
      } else {
        out.flags.push(`${label(key)}: new ${field} no earlier revision ran: ${shown}`);
      }
    }
    if (input.policy.allowedRegistries.length > 0 || deepEqual(live.get(key)?.image, c.image)) continue;
    const source = registryOf(c.image);
    const known = [live.get(key)?.image, ...previous.map((p) => p.get(key)?.image)].map(registryOf);
    if (source !== null && !known.includes(source))
      out.flags.push(
        `${label(key)}: image ${String(c.image)} comes from ${source}, which no earlier revision used, and AUTOFIX_ALLOWED_REGISTRIES is not set`,
      );
  }
  const total = out.flags.reduce((n, f) => n + f.length, 0);
  if (total > MAX_FLAGGED_TOTAL)
    out.violations.push(
      `the new commands, args and probes come to ${total} characters, too many to show an approver in full (at most ${MAX_FLAGGED_TOTAL})`,
    );
  return out;
}
