// The environment variables a change may not set, by family (runtime-variables.json), and which family a name falls in.
import { z } from 'zod';
import data from './runtime-variables.json' with { type: 'json' };

const Family = z.object({
  id: z.string().min(1),
  /** Completes "env NAME …": what setting it does. */
  does: z.string().min(1),
  sources: z.array(z.string().min(1)).min(1),
  names: z.array(z.string()),
  prefixes: z.array(z.string()),
  suffixes: z.array(z.string()),
  patterns: z.array(z.string()).optional(),
  except: z.array(z.string()).optional(),
});
export type RuntimeVariableFamily = z.infer<typeof Family>;

// Parsed at load: a malformed data file stops the process at start rather than weakening the policy.
const FAMILIES = z.object({ about: z.string(), families: z.array(Family).min(1) }).parse(data).families;

const upper = (list: readonly string[] | undefined): string[] => (list ?? []).map((s) => s.toUpperCase());

const COMPILED = FAMILIES.map((f) => ({
  family: f,
  names: new Set(upper(f.names)),
  prefixes: upper(f.prefixes),
  suffixes: upper(f.suffixes),
  patterns: (f.patterns ?? []).map((p) => new RegExp(p, 'i')),
  except: new Set(upper(f.except)),
}));

/** The family that refuses setting `name` (any case), or null for a variable a change may set (flagged). */
export function runtimeVariableFamily(name: string): RuntimeVariableFamily | null {
  const n = name.toUpperCase();
  for (const c of COMPILED) {
    if (c.except.has(n)) continue;
    if (
      c.names.has(n) ||
      c.prefixes.some((p) => n.startsWith(p)) ||
      c.suffixes.some((s) => n.endsWith(s)) ||
      c.patterns.some((re) => re.test(n))
    )
      return c.family;
  }
  return null;
}

export const RUNTIME_VARIABLE_FAMILIES: readonly RuntimeVariableFamily[] = FAMILIES;
