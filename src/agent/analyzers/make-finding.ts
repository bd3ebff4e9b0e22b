// Builds Findings with the facts every engine reads (signal, sources) and bounded evidence quotes.
import type { Category, Fact, Finding } from '../../domain/index.js';
import { distinct } from './container-hits.js';

export type Signal = 'explicit' | 'inferred' | 'heuristic';
export type Source = 'status' | 'events' | 'logs' | 'references' | 'spec' | 'nodes' | 'quotas';

export interface FindingInput {
  analyzer: string;
  category: Category;
  severity: Finding['severity'];
  message: string;
  container: string | null;
  facts: Record<string, Fact>;
  evidence: Array<string | null | undefined>;
  signal: Signal;
  sources: Source[];
}

// Quotes are for humans and prompts: keep a handful, each short enough for a Slack line.
const MAX_QUOTES = 8;
const MAX_QUOTE_CHARS = 400;

function clip(s: string): string {
  return s.length > MAX_QUOTE_CHARS ? `${s.slice(0, MAX_QUOTE_CHARS - 1)}…` : s;
}

export function makeFinding(input: FindingInput): Finding {
  return {
    analyzer: input.analyzer,
    category: input.category,
    severity: input.severity,
    message: input.message,
    container: input.container,
    facts: { ...input.facts, signal: input.signal, sources: distinct(input.sources).sort().join(',') },
    evidence: distinct(input.evidence.map((q) => (q ? clip(q.trim()) : q))).slice(0, MAX_QUOTES),
  };
}

/** Reads the `sources` fact back as a list. */
export function findingSources(finding: Finding): string[] {
  const raw = finding.facts.sources;
  return typeof raw === 'string' && raw.length > 0 ? raw.split(',') : [];
}

export function findingSignal(finding: Finding): Signal | null {
  const s = finding.facts.signal;
  return s === 'explicit' || s === 'inferred' || s === 'heuristic' ? s : null;
}

/** `n pod` / `n pods`, for messages. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
