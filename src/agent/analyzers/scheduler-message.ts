// Parses the scheduler's FailedScheduling text ("0/3 nodes are available: 3 Insufficient memory. …") into counts.
export interface SchedulerVerdict {
  nodesTotal: number | null;
  /** Resource name → number of nodes short of it, e.g. {memory: 3}. */
  insufficient: Record<string, number>;
  selectorMismatch: number;
  taints: string[];
  cordoned: number;
  podAffinity: number;
  unboundPvc: boolean;
}

const CLAUSE = /^(\d+) (.+)$/;

function applyClause(v: SchedulerVerdict, count: number, what: string): void {
  // Newer schedulers run a sentence on ("Insufficient memory. no new claims to deallocate").
  const insufficient = /^Insufficient ([^\s.]+)/.exec(what);
  const taint = /taint \{([^}]*)\}/.exec(what);
  if (insufficient) v.insufficient[insufficient[1]!] = count;
  else if (/Too many pods/.test(what)) v.insufficient.pods = count;
  else if (/didn't match (?:Pod's )?node (?:affinity|selector)/.test(what)) v.selectorMismatch += count;
  else if (taint) v.taints.push(taint[1]!.trim());
  else if (/were unschedulable/.test(what)) v.cordoned += count;
  else if (/pod (?:anti-)?affinity|anti-affinity/.test(what)) v.podAffinity += count;
  else if (/volume/.test(what)) v.unboundPvc = true;
}

export function parseSchedulerMessage(message: string): SchedulerVerdict {
  const v: SchedulerVerdict = {
    nodesTotal: null,
    insufficient: {},
    selectorMismatch: 0,
    taints: [],
    cordoned: 0,
    podAffinity: 0,
    unboundPvc: false,
  };
  if (/unbound immediate PersistentVolumeClaims|persistentvolumeclaim "[^"]+" not found/.test(message))
    v.unboundPvc = true;
  // The part after "preemption:" repeats the count for the preemption pass; only the first verdict matters.
  const head = message.split(/\.?\s*preemption:/)[0] ?? message;
  const m = /^\d+\/(\d+) nodes are available:?\s*(.*)$/s.exec(head.trim());
  if (!m) return v;
  v.nodesTotal = Number(m[1]);
  for (const clause of m[2]!.replace(/\.$/, '').split(/,\s+(?=\d+ )/)) {
    const c = CLAUSE.exec(clause.trim());
    if (c) applyClause(v, Number(c[1]), c[2]!.trim());
  }
  return v;
}
