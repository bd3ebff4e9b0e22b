// How sure, in words an on-call engineer reads at a glance; the CLI and Slack say it the same way.

/** "0.86 — high" (≥ 0.8 high, ≥ 0.5 medium, else low). */
export function confidenceLabel(c: number): string {
  const word = c >= 0.8 ? 'high' : c >= 0.5 ? 'medium' : 'low';
  return `${c.toFixed(2)} — ${word}`;
}
