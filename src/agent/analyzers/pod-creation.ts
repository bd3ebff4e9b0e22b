// Pods the controller cannot create for reasons other than quota: a missing ServiceAccount, PodSecurity, an admission webhook.
import type { Category, Evidence, Fact, Finding } from '../../domain/index.js';
import type { Analyzer } from './analyzer.js';
import { creationRefusals } from './creation-failures.js';
import { makeFinding } from './make-finding.js';
import { parseQuotaMessage } from './quota-exceeded.js';

interface Refusal {
  id: string;
  category: Category;
  message: string;
  facts: Record<string, Fact>;
}

const SERVICE_ACCOUNT =
  /error looking up service account ([^/\s]+)\/([^:\s]+): serviceaccount "([^"]+)" not found/;
const POD_SECURITY = /violates PodSecurity "([^":]+)(?::[^"]*)?": (.+)$/;
const WEBHOOK = /admission webhook "([^"]+)" denied the request:? ?(.*)$/;

/** What refused the pods, from the controller's FailedCreate text; null for quota (its own analyzer). */
export function parseCreationRefusal(message: string, ns: string): Refusal | null {
  if (parseQuotaMessage(message, ns, null).length > 0) return null;
  const sa = SERVICE_ACCOUNT.exec(message);
  if (sa)
    return {
      id: `service_account/${sa[3]}`,
      category: 'missing_config',
      message: `Pods cannot be created: ServiceAccount ${sa[3]} (the pod template's serviceAccountName) does not exist in namespace ${sa[1]}.`,
      facts: {
        kind: 'ServiceAccount',
        name: sa[3]!,
        namespace: sa[1]!,
        missing: 'object',
        admission: 'service_account',
      },
    };
  const ps = POD_SECURITY.exec(message);
  if (ps)
    return {
      id: `pod_security/${ps[1]}`,
      category: 'unknown',
      message: `Pods cannot be created: namespace ${ns} enforces PodSecurity "${ps[1]}" and the pod template violates it: ${ps[2]}.`,
      facts: { admission: 'pod_security', level: ps[1]!, violations: ps[2]!, namespace: ns },
    };
  const wh = WEBHOOK.exec(message);
  if (wh)
    return {
      id: `webhook/${wh[1]}`,
      category: 'unknown',
      message: `Pods cannot be created: admission webhook ${wh[1]} denies them${wh[2] ? `: ${wh[2]}` : ''}.`,
      facts: { admission: 'webhook', webhook: wh[1]!, reason: wh[2] || null, namespace: ns },
    };
  return {
    id: 'other',
    category: 'unknown',
    message: `Pods cannot be created: ${message.replace(/^Error creating: /, '')}`,
    facts: { admission: 'other', namespace: ns },
  };
}

export const podCreation: Analyzer = {
  name: 'podCreation',
  category: 'unknown',
  analyze(evidence: Evidence): Finding[] {
    const ns = evidence.target.namespace;
    const parse = (m: string) => {
      const r = parseCreationRefusal(m, ns);
      return r ? [r] : [];
    };
    const { found, short } = creationRefusals(evidence, parse);
    return found.map(({ item: r, quotes, sources }) =>
      makeFinding({
        analyzer: 'podCreation',
        category: r.category,
        severity: short ? 'critical' : 'warning',
        message: r.message,
        container: null,
        facts: r.facts,
        evidence: quotes,
        signal: 'explicit',
        sources,
      }),
    );
  },
};
