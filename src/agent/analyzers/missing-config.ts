// missing_config: ConfigMaps, Secrets, keys and PVCs the pod template needs but that do not exist.
import type { Evidence, Finding, ReferenceCheck } from '../../domain/index.js';
import type { Analyzer } from './analyzer.js';
import { containerHits, distinct } from './container-hits.js';
import { makeFinding, type Source } from './make-finding.js';
import { relatedEvents } from './related-evidence.js';
import { selectPods } from './select-pods.js';

type RefKind = ReferenceCheck['kind'];

interface Missing {
  kind: RefKind;
  name: string;
  namespace: string;
  /** Whole object missing, or only a key inside an existing one. */
  missing: 'object' | 'key';
  keys: string[];
  containers: string[];
  usedBy: string[];
  quotes: string[];
  sources: Source[];
}

const KINDS: Record<string, RefKind> = {
  configmap: 'ConfigMap',
  secret: 'Secret',
  persistentvolumeclaim: 'PersistentVolumeClaim',
};
const OBJECT_NOT_FOUND = /(configmap|secret|persistentvolumeclaim) "([^"]+)" not found/i;
const KEY_NOT_FOUND = /couldn't find key (\S+) in (ConfigMap|Secret) ([^/\s]+)\/([^\s,]+)/;

interface Parsed {
  kind: RefKind;
  name: string;
  namespace: string | null;
  key: string | null;
  missing: 'object' | 'key';
}

export function parseMissingReference(message: string): Parsed | null {
  const key = KEY_NOT_FOUND.exec(message);
  if (key)
    return { kind: key[2] as RefKind, name: key[4]!, namespace: key[3]!, key: key[1]!, missing: 'key' };
  const obj = OBJECT_NOT_FOUND.exec(message);
  const kind = obj ? KINDS[obj[1]!.toLowerCase()] : undefined;
  return obj && kind ? { kind, name: obj[2]!, namespace: null, key: null, missing: 'object' } : null;
}

class MissingSet {
  readonly items = new Map<string, Missing>();
  constructor(private readonly namespace: string) {}

  add(
    p: Parsed,
    from: { container: string | null; usedBy: string | null; quote: string; source: Source },
  ): void {
    const id = `${p.kind}/${p.name}/${p.missing === 'key' ? p.key : ''}`;
    const m = this.items.get(id) ?? {
      kind: p.kind,
      name: p.name,
      namespace: p.namespace ?? this.namespace,
      missing: p.missing,
      keys: [],
      containers: [],
      usedBy: [],
      quotes: [],
      sources: [],
    };
    if (p.key) m.keys = distinct([...m.keys, p.key]);
    if (from.container) m.containers = distinct([...m.containers, from.container]);
    if (from.usedBy) m.usedBy = distinct([...m.usedBy, from.usedBy]);
    m.quotes.push(from.quote);
    m.sources.push(from.source);
    this.items.set(id, m);
  }
}

function fromReferences(set: MissingSet, refs: ReferenceCheck[]): void {
  for (const r of refs) {
    if (r.optional || (r.exists && r.keyExists !== false)) continue;
    const container = /^(?:init)?[cC]ontainer (\S+)/.exec(r.usedBy)?.[1] ?? null;
    const missing = r.exists ? 'key' : 'object';
    const quote = `${r.kind} ${r.name}${r.key ? ` key ${r.key}` : ''}: ${missing === 'object' ? 'not found' : 'key not found'} (used by ${r.usedBy})`;
    set.add(
      { kind: r.kind, name: r.name, namespace: null, key: r.key, missing },
      { container, usedBy: r.usedBy, quote, source: 'references' },
    );
  }
}

function fromPods(set: MissingSet, evidence: Evidence): void {
  const pods = selectPods(evidence);
  const hits = containerHits(pods, (s) => s.state.waiting?.reason === 'CreateContainerConfigError').flat();
  for (const h of hits) {
    const msg = h.status.state.waiting?.message ?? '';
    const p = parseMissingReference(msg);
    if (p)
      set.add(p, {
        container: h.status.name,
        usedBy: null,
        quote: `CreateContainerConfigError: ${msg}`,
        source: 'status',
      });
  }
  const events = relatedEvents(
    evidence,
    'Pod',
    pods.map((p) => p.name),
  );
  for (const e of events.filter((ev) => ['Failed', 'FailedMount', 'FailedScheduling'].includes(ev.reason))) {
    const p = parseMissingReference(e.message);
    if (p) set.add(p, { container: null, usedBy: null, quote: e.message, source: 'events' });
  }
}

function describe(m: Missing): string {
  // usedBy ("container web env LOG_LEVEL") is the most precise; fall back to the container from the status.
  const who =
    m.usedBy.length > 0
      ? m.usedBy.join('; ')
      : m.containers.length > 0
        ? `container ${m.containers.join(', ')}`
        : 'the pod';
  if (m.missing === 'key')
    return `${m.kind} ${m.name} in namespace ${m.namespace} has no key ${m.keys.join(', ')}, which ${who} needs.`;
  return `${m.kind} ${m.name} does not exist in namespace ${m.namespace}, but ${who} needs it.`;
}

function toFinding(m: Missing): Finding {
  const seenByPods = m.sources.includes('status') || m.sources.includes('events');
  return makeFinding({
    analyzer: 'missingConfig',
    category: 'missing_config',
    // A broken reference no pod has tripped over yet (e.g. pods not recreated) is a warning.
    severity: seenByPods ? 'critical' : 'warning',
    message: describe(m),
    container: m.containers[0] ?? null,
    facts: {
      kind: m.kind,
      name: m.name,
      key: m.keys[0] ?? null,
      keys: m.keys.join(',') || null,
      namespace: m.namespace,
      missing: m.missing,
      usedBy: m.usedBy.join('; ') || null,
      optional: false,
    },
    evidence: m.quotes,
    signal: 'explicit',
    sources: m.sources,
  });
}

export const missingConfig: Analyzer = {
  name: 'missingConfig',
  category: 'missing_config',
  analyze(evidence) {
    const set = new MissingSet(evidence.target.namespace);
    fromPods(set, evidence);
    fromReferences(set, evidence.references);
    return [...set.items.values()].map(toFinding);
  },
};
