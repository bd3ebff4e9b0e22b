// image_pull: containers waiting on ErrImagePull / ImagePullBackOff / InvalidImageName, with the kubelet's reason.
import { DNS1123_SUBDOMAIN, type EventSummary, type Evidence, type Finding } from '../../domain/index.js';
import { asArray, asRecord, asString, getIn } from '../../domain/json-access.js';
import { parseImage } from '../../safety/parse-image.js';
import type { Analyzer } from './analyzer.js';
import { containerHits, distinct, type ContainerHit } from './container-hits.js';
import { makeFinding, plural } from './make-finding.js';
import { relatedEvents } from './related-evidence.js';
import { currentRevision, selectPods } from './select-pods.js';

const PULL_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

export type PullFailure =
  'invalid_name' | 'denied' | 'unauthorized' | 'not_found' | 'network' | 'never_pull' | 'unknown';

// Checked in order: a 401 from a private registry also often says "not found" further down the text.
const FAILURE_PATTERNS: Array<[PullFailure, RegExp]> = [
  ['invalid_name', /InvalidImageName|invalid reference format|couldn't parse image/i],
  ['never_pull', /ErrImageNeverPull|image pull policy is Never/i],
  // Docker Hub answers a missing and a private repository alike: do not pretend to know which.
  ['denied', /repository does not exist or may require authorization/i],
  [
    'unauthorized',
    /401 Unauthorized|403 Forbidden|authentication required|failed to authorize|no basic auth credentials|insufficient_scope/i,
  ],
  ['not_found', /not found|manifest unknown|repository does not exist|name unknown/i],
  [
    'network',
    /i\/o timeout|no such host|connection refused|TLS handshake timeout|context deadline exceeded|network is unreachable/i,
  ],
];

const FAILURE_TEXT: Record<PullFailure, string> = {
  invalid_name: 'the image reference is not a valid name',
  denied: 'the registry denied the pull: the repository does not exist or needs credentials',
  never_pull: 'imagePullPolicy is Never and the image is not on the node',
  unauthorized: 'the registry refused the credentials',
  not_found: 'the image or tag does not exist in the registry',
  network: 'the registry could not be reached',
  unknown: 'the pull failed',
};

export function classifyPullFailure(texts: string[]): PullFailure {
  const all = texts.join('\n');
  return FAILURE_PATTERNS.find(([, re]) => re.test(all))?.[0] ?? 'unknown';
}

function pullEvents(evidence: Evidence, pods: string[], image: string): EventSummary[] {
  return relatedEvents(evidence, 'Pod', pods).filter(
    (e) =>
      e.message.includes(`"${image}"`) ||
      /^Error: (ErrImagePull|ImagePullBackOff|InvalidImageName|ErrImageNeverPull)/.test(e.message),
  );
}

const MISSING_SECRETS = /^Unable to retrieve some image pull secrets \(([^)]*)\)/;

const secretNames = (template: unknown): string[] =>
  asArray(getIn(template, ['spec', 'imagePullSecrets']))
    .map((r) => asString(asRecord(r).name))
    .filter((n): n is string => n !== null);

/**
 * The pull secrets the pod template names, those the kubelet could not find (its own warning), and those
 * the revision before this one named but this one dropped.
 */
function pullSecrets(evidence: Evidence, pods: string[]) {
  const named = secretNames(getIn(evidence.workload, ['spec', 'template']));
  const current = currentRevision(evidence);
  const previous = evidence.revisions
    .filter((r) => !r.current && current !== undefined && r.revision < current.revision)
    .sort((a, b) => b.revision - a.revision)[0];
  const dropped = previous ? secretNames(previous.template).filter((n) => !named.includes(n)) : [];
  const warnings = relatedEvents(evidence, 'Pod', pods).filter(
    (e) => e.reason === 'FailedToRetrieveImagePullSecret',
  );
  // Event text is writable by anyone who may create Events: only valid Secret names go into commands.
  const missing = distinct(
    warnings.flatMap((e) => (MISSING_SECRETS.exec(e.message)?.[1] ?? '').split(',').map((n) => n.trim())),
  ).filter((n) => DNS1123_SUBDOMAIN.test(n) && n.length <= 253);
  return {
    named,
    missing,
    dropped,
    droppedBy: dropped.length > 0 ? (current?.revision ?? null) : null,
    warning: warnings[0]?.message ?? null,
  };
}

function toFinding(evidence: Evidence, hits: ContainerHit[]): Finding {
  const first = hits[0]!;
  const image = first.status.image;
  const podNames = distinct(hits.map((h) => h.pod.name));
  const reasons = distinct(hits.map((h) => h.status.state.waiting?.reason));
  const waitingMessages = distinct(hits.map((h) => h.status.state.waiting?.message));
  const events = pullEvents(evidence, podNames, image);
  const failure = classifyPullFailure([...reasons, ...waitingMessages, ...events.map((e) => e.message)]);
  const secrets = pullSecrets(evidence, podNames);
  // The most detailed line is the one carrying the registry's answer ("Failed to pull image … rpc error …").
  const kubeletMessage =
    events.find((e) => e.message.startsWith('Failed to pull image'))?.message ??
    waitingMessages.find((m) => /rpc error|failed/i.test(m)) ??
    waitingMessages[0] ??
    null;
  return makeFinding({
    analyzer: 'imagePull',
    category: 'image_pull',
    severity: 'critical',
    message: `${first.init ? 'Init container' : 'Container'} ${first.status.name} cannot pull image "${image}": ${FAILURE_TEXT[failure]} (${reasons.join(', ')}) in ${plural(podNames.length, 'pod')}.`,
    container: first.status.name,
    facts: {
      image,
      reason: reasons[0] ?? null,
      pullFailure: failure,
      kubeletMessage,
      pod: first.pod.name,
      pods: podNames.length,
      initContainer: first.init,
      registry: parseImage(image)?.registry ?? null,
      pullSecrets: secrets.named.length > 0 ? secrets.named.join(',') : null,
      missingPullSecrets: secrets.missing.length > 0 ? secrets.missing.join(',') : null,
      droppedPullSecrets: secrets.dropped.length > 0 ? secrets.dropped.join(',') : null,
      droppedByRevision: secrets.droppedBy,
    },
    evidence: [
      ...reasons.map((r) => `state.waiting.reason: ${r}`),
      kubeletMessage,
      secrets.warning,
      ...waitingMessages,
      ...events.map((e) => e.message),
    ],
    signal: 'explicit',
    sources: events.length > 0 ? ['status', 'events'] : ['status'],
  });
}

export const imagePull: Analyzer = {
  name: 'imagePull',
  category: 'image_pull',
  analyze(evidence) {
    const hits = containerHits(selectPods(evidence), (s) => PULL_REASONS.has(s.state.waiting?.reason ?? ''));
    return hits.map((group) => toFinding(evidence, group));
  },
};
