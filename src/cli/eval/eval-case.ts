// Eval cases: one folder each (case.yaml, manifests.yaml, optional break.yaml as a JSON patch list).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { AutofixError, Category, ErrorCode, Outcome, PatchOp } from '../../domain/index.js';

export const CaseSpec = z.object({
  description: z.string(),
  target: z.string().regex(/^[a-z]+\/[a-z0-9.-]+$/),
  expect: z.object({ category: Category, outcome: Outcome, heals: z.boolean() }),
});
export type CaseSpec = z.infer<typeof CaseSpec>;

export interface EvalCase extends CaseSpec {
  name: string;
  manifests: Array<Record<string, unknown>>;
  /** A second release applied once the first is available (a rollout that breaks the workload). */
  breakPatch: PatchOp[] | null;
}

function fail(path: string, why: string): never {
  throw new AutofixError(ErrorCode.BadInput, `Eval case ${path}: ${why}`);
}

export function loadCase(dir: string, name: string): EvalCase {
  const folder = join(dir, name);
  const spec = CaseSpec.safeParse(parse(readFileSync(join(folder, 'case.yaml'), 'utf8')));
  if (!spec.success)
    fail(folder, spec.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const manifests = parseAllDocuments(readFileSync(join(folder, 'manifests.yaml'), 'utf8'))
    .map((d) => d.toJS() as unknown)
    .filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null);
  if (manifests.length === 0) fail(folder, 'manifests.yaml holds no object');
  const breakFile = join(folder, 'break.yaml');
  const breakPatch = existsSync(breakFile)
    ? z.array(PatchOp).parse(parse(readFileSync(breakFile, 'utf8')))
    : null;
  return { ...spec.data, name, manifests, breakPatch };
}

/** Every case folder under `dir`, sorted; `only` filters by folder name. */
export function loadCases(dir: string, only: string[] = []): EvalCase[] {
  if (!existsSync(dir))
    throw new AutofixError(ErrorCode.BadInput, `No eval cases at ${dir}.`, { hint: 'Pass --cases <dir>.' });
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && (only.length === 0 || only.includes(e.name)))
    .map((e) => e.name)
    .sort()
    .map((name) => loadCase(dir, name));
}
