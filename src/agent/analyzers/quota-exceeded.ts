// quota_exceeded: pod creation refused by a ResourceQuota or LimitRange (FailedCreate events, ReplicaFailure condition).
import type { Fact } from '../../domain/index.js';
import type { Analyzer } from './analyzer.js';
import { distinct } from './container-hits.js';
import { creationRefusals } from './creation-failures.js';
import { makeFinding } from './make-finding.js';

export interface QuotaViolation {
  id: string;
  message: string;
  facts: Record<string, Fact>;
}

const EXCEEDED = /exceeded quota: ([^,]+), requested: (\S+), used: (\S+), limited: (\S+)/;
const MUST_SPECIFY = /failed quota: ([^:]+): must specify (.+)$/;
const LIMIT_RANGE =
  /(maximum|minimum) (\S+) usage per (Container|Pod) is ([^,\s]+), but (limit|request) is ([^,\]\s]+)/g;

function pairs(list: string): Record<string, string> {
  return Object.fromEntries(
    list
      .replace(/,$/, '')
      .split(',')
      .map((p) => p.split('=') as [string, string]),
  );
}

function exceeded(m: RegExpExecArray, ns: string): QuotaViolation {
  const [quota, requested, used, limited] = [m[1]!.trim(), pairs(m[2]!), pairs(m[3]!), pairs(m[4]!)];
  const resources = Object.keys(requested);
  const resource = resources[0] ?? 'unknown';
  return {
    id: `exceeded/${quota}/${resources.join(',')}`,
    message: `ResourceQuota ${quota} in namespace ${ns} blocks new pods: they request ${resource}=${requested[resource]} while ${used[resource] ?? '?'} of ${limited[resource] ?? '?'} is already used.`,
    facts: {
      violation: 'exceeded',
      quota,
      resource,
      resources: resources.join(','),
      requested: requested[resource] ?? null,
      used: used[resource] ?? null,
      limited: limited[resource] ?? null,
      namespace: ns,
    },
  };
}

function mustSpecify(m: RegExpExecArray, ns: string): QuotaViolation {
  const quota = m[1]!.trim();
  // "limits.cpu for: web; limits.memory for: web" (≥1.29) or "limits.cpu,limits.memory" (older).
  const items = m[2]!
    .split(/[;,]\s*/)
    .map((s) => /^(\S+)(?: for: (\S+))?/.exec(s.trim()))
    .filter((x) => x !== null);
  const resources = distinct(items.map((x) => x[1]));
  const container = items.find((x) => x[2])?.[2] ?? null;
  return {
    id: `must_specify/${quota}/${resources.join(',')}`,
    message: `ResourceQuota ${quota} in namespace ${ns} rejects new pods because ${container ? `container ${container}` : 'a container'} does not set ${resources.join(', ')}.`,
    facts: {
      violation: 'must_specify',
      quota,
      resource: resources[0] ?? null,
      resources: resources.join(','),
      container,
      namespace: ns,
    },
  };
}

function limitRange(m: RegExpExecArray, ns: string, name: string | null): QuotaViolation {
  const [bound, resource, scope, allowed, field, value] = [m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!];
  const side = bound === 'maximum' ? 'above the maximum' : 'below the minimum';
  return {
    id: `limit_range/${bound}/${resource}/${field}`,
    message: `LimitRange ${name ?? '(unnamed)'} in namespace ${ns} rejects new pods: ${resource} ${field} ${value} is ${side} ${allowed} per ${scope}.`,
    facts: {
      violation: 'limit_range',
      limitRange: name,
      bound,
      resource,
      scope,
      field,
      requested: value,
      limited: allowed,
      namespace: ns,
    },
  };
}

export function parseQuotaMessage(
  message: string,
  ns: string,
  limitRangeName: string | null,
): QuotaViolation[] {
  const ex = EXCEEDED.exec(message);
  if (ex) return [exceeded(ex, ns)];
  const ms = MUST_SPECIFY.exec(message);
  if (ms) return [mustSpecify(ms, ns)];
  return [...message.matchAll(LIMIT_RANGE)].map((m) => limitRange(m, ns, limitRangeName));
}

export const quotaExceeded: Analyzer = {
  name: 'quotaExceeded',
  category: 'quota_exceeded',
  analyze(evidence) {
    const ns = evidence.target.namespace;
    const lr = evidence.limitRanges[0]?.name ?? null;
    const { found, short } = creationRefusals(evidence, (m) => parseQuotaMessage(m, ns, lr));
    return found.map(({ item: v, quotes, sources }) =>
      makeFinding({
        analyzer: 'quotaExceeded',
        category: 'quota_exceeded',
        severity: short ? 'critical' : 'warning',
        message: v.message,
        container: typeof v.facts.container === 'string' ? v.facts.container : null,
        facts: v.facts,
        evidence: quotes,
        signal: 'explicit',
        sources: evidence.quotas.some((q) => q.name === v.facts.quota) ? [...sources, 'quotas'] : sources,
      }),
    );
  },
};
