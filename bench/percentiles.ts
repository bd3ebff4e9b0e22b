// Nearest-rank percentiles and small number helpers for the bench tables.
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export const round1 = (x: number): number => Number(x.toFixed(1));
