// Replacing ranges of a text with the mask, the one way every detector's findings are applied.

/** A half-open range of characters to mask. */
export type Range = readonly [start: number, end: number];

/** What every masked value becomes; fixed so tests and readers can recognise it. */
export const REDACTED = '[REDACTED]';

/** Replaces each range (merged, and widened over masks it cuts into) with {@link REDACTED}. */
export function applyRanges(text: string, ranges: Range[]): string {
  if (ranges.length === 0) return text;
  const masks: Range[] = [];
  for (let i = text.indexOf(REDACTED); i !== -1; i = text.indexOf(REDACTED, i + 1))
    masks.push([i, i + REDACTED.length]);
  const widen = ([s, e]: Range): Range => {
    let [start, end] = [s, e];
    for (const [ms, me] of masks) {
      if (start > ms && start < me) start = ms;
      if (end > ms && end < me) end = me;
    }
    return [start, end];
  };
  const sorted = ranges
    .filter(([s, e]) => e > s)
    .map(widen)
    .sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i]![0];
    let end = sorted[i]![1];
    while (i + 1 < sorted.length && sorted[i + 1]![0] <= end) end = Math.max(end, sorted[++i]![1]);
    out += text.slice(at, Math.max(at, start)) + REDACTED;
    at = Math.max(at, end);
    i++;
  }
  return out + text.slice(at);
}
