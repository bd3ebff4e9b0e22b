// The workload's own secret values, masked wherever they appear and in every form a program prints them:
// raw, each line of a multi-line value, JSON-escaped (once and twice), URL- and form-encoded, and Base64
// (standard and URL-safe) at each of the three byte alignments a value can take inside a longer encoding.
import { applyRanges, type Range } from './mask-ranges.js';

/**
 * Values shorter than this are not matched. Same floor as GitLab's masked variables (8 characters): a
 * shorter value (`admin`, `1234`, `true`) occurs in ordinary text so often that masking it everywhere
 * would blank the evidence, and is guessable anyway. Such a value is still masked where structure names
 * it (`password=…`, a `--password` flag), like every other secret.
 */
export const MIN_KNOWN_LENGTH = 8;

/** A matcher for the known values; `size` is how many forms it matches. */
export interface KnownValues {
  readonly size: number;
  /** The text with every occurrence of a known form replaced by the mask. */
  mask(text: string): string;
}

export const NO_KNOWN_VALUES: KnownValues = { size: 0, mask: (text) => text };

/** Base64 of `bytes` as it appears after k bytes of other data: the characters that depend on `bytes` only. */
function base64Aligned(bytes: Uint8Array, k: 0 | 1 | 2): string {
  const padded = new Uint8Array(k + bytes.length);
  padded.set(bytes, k);
  const enc = Buffer.from(padded).toString('base64').replace(/=+$/, '');
  const lead = [0, 2, 3][k]!;
  // The last character of a partial group also carries bits of whatever follows.
  const trail = (k + bytes.length) % 3 === 0 ? 0 : 1;
  return enc.slice(lead, enc.length - trail);
}

const lowerHex = (s: string): string => s.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
const jsonEscaped = (s: string): string => JSON.stringify(s).slice(1, -1);

/** Every form of one value that is long enough to match. */
export function knownForms(value: string | Uint8Array): string[] {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  const text = typeof value === 'string' ? value : new TextDecoder('utf-8', { fatal: false }).decode(value);
  const isText = !text.includes('\uFFFD');
  if ((isText ? text.trim().length : bytes.length) < MIN_KNOWN_LENGTH) return [];
  const forms = new Set<string>();
  if (isText) {
    const t = text.trim();
    for (const s of [t, ...t.split(/\r?\n/).map((l) => l.trim())].filter(
      (l) => l.length >= MIN_KNOWN_LENGTH,
    )) {
      forms.add(s);
      forms.add(jsonEscaped(s));
      forms.add(jsonEscaped(jsonEscaped(s)));
      const url = encodeURIComponent(s);
      forms.add(url);
      forms.add(lowerHex(url));
      forms.add(url.replace(/%20/g, '+'));
    }
  }
  const trimmed = isText ? new TextEncoder().encode(text.trim()) : bytes;
  for (const k of [0, 1, 2] as const) {
    const b64 = base64Aligned(trimmed, k);
    forms.add(b64);
    forms.add(b64.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...forms].filter((f) => f.length >= MIN_KNOWN_LENGTH);
}

interface Node {
  next: Map<number, number>;
  fail: number;
  /** The longest form that ends here (through fail links too), 0 when none. */
  longest: number;
}

/** Aho–Corasick over UTF-16 code units: one pass over the text whatever the number of forms. */
function automaton(forms: string[]): Node[] {
  const nodes: Node[] = [{ next: new Map(), fail: 0, longest: 0 }];
  for (const f of forms) {
    let at = 0;
    for (let i = 0; i < f.length; i++) {
      const c = f.charCodeAt(i);
      let to = nodes[at]!.next.get(c);
      if (to === undefined) {
        to = nodes.length;
        nodes.push({ next: new Map(), fail: 0, longest: 0 });
        nodes[at]!.next.set(c, to);
      }
      at = to;
    }
    nodes[at]!.longest = Math.max(nodes[at]!.longest, f.length);
  }
  const queue: number[] = [...nodes[0]!.next.values()];
  for (let q = 0; q < queue.length; q++) {
    const n = queue[q]!;
    for (const [c, child] of nodes[n]!.next) {
      let f = nodes[n]!.fail;
      while (f !== 0 && !nodes[f]!.next.has(c)) f = nodes[f]!.fail;
      const to = nodes[f]!.next.get(c);
      nodes[child]!.fail = to !== undefined && to !== child ? to : 0;
      nodes[child]!.longest = Math.max(nodes[child]!.longest, nodes[nodes[child]!.fail]!.longest);
      queue.push(child);
    }
  }
  return nodes;
}

/** A matcher for the given secret values (strings, or bytes as a Secret's `data` holds them). */
export function knownValues(values: Iterable<string | Uint8Array>): KnownValues {
  const forms = [...new Set([...values].flatMap(knownForms))];
  if (forms.length === 0) return NO_KNOWN_VALUES;
  const nodes = automaton(forms);
  return {
    size: forms.length,
    mask(text: string): string {
      if (typeof text !== 'string' || text.length < MIN_KNOWN_LENGTH) return text;
      const ranges: Range[] = [];
      let at = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        while (at !== 0 && !nodes[at]!.next.has(c)) at = nodes[at]!.fail;
        at = nodes[at]!.next.get(c) ?? 0;
        const len = nodes[at]!.longest;
        if (len > 0) ranges.push([i + 1 - len, i + 1]);
      }
      return applyRanges(text, ranges);
    },
  };
}
