// Parses Kubernetes resource quantities (128Mi, 1Gi, 500M, 1e9, 100m) into numbers of base units.

const SUFFIX: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Returns the quantity in base units (bytes for memory); throws on a malformed quantity. */
export function parseQuantity(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = /^([+-]?\d+(?:\.\d*)?|[+-]?\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E))?$/.exec(
    value.trim(),
  );
  if (!m) throw new Error(`invalid quantity ${JSON.stringify(value)}`);
  const base = Number(m[1]);
  if (m[2] !== undefined) return base * 10 ** Number(m[2].slice(1));
  return base * SUFFIX[m[3] ?? '']!;
}
