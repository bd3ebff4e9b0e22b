// Eval cases: one folder each (case.yaml, manifests.yaml, optional break.yaml as a JSON patch list).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { AutofixError, Category, ErrorCode, Outcome, PatchOp } from '../../domain/index.js';

/**
 * The failure as cluster facts, judged without the agent's analyzers; every stated fact must hold.
 * Container facts look at init containers too.
 */
export const Symptom = z
  .object({
    /** Some container is waiting with one of these reasons (ImagePullBackOff, CreateContainerConfigError…). */
    waiting: z.array(z.string()).min(1).optional(),
    /** Some container last terminated with this reason (OOMKilled, Error, Completed). */
    terminated: z.string().optional(),
    /** Some container restarted at least this often. */
    restarts: z.number().int().positive().optional(),
    /** A pod the scheduler could not place (PodScheduled=False, reason Unschedulable). */
    unschedulable: z.literal(true).optional(),
    /** A running pod that is not ready. */
    notReady: z.literal(true).optional(),
    /** A condition of the workload's status, e.g. Progressing with reason ProgressDeadlineExceeded. */
    condition: z
      .object({
        type: z.string(),
        status: z.enum(['True', 'False', 'Unknown']).optional(),
        reason: z.string(),
      })
      .strict()
      .optional(),
    /** An event in the namespace with this reason whose message contains `message`. */
    event: z.object({ reason: z.string(), message: z.string().default('') }).optional(),
  })
  .strict()
  .refine((s) => Object.keys(s).length > 0, 'state at least one fact');
export type Symptom = z.infer<typeof Symptom>;

/** Healed = every desired replica updated, ready and available, no waiting container, restarts stable this long. */
export const HealedSpec = z.object({ settleSeconds: z.number().positive().max(120).default(6) }).strict();
export type HealedSpec = z.infer<typeof HealedSpec>;

export const CaseSpec = z
  .object({
    description: z.string(),
    /** The public task this case follows (e.g. "k8s-ai-bench fix-crashloop"), or what it adds. */
    follows: z.string().optional(),
    target: z.string().regex(/^[a-z]+\/[a-z0-9.-]+$/),
    /** Null for the healthy case: nothing to see but health. */
    symptom: Symptom.nullable(),
    healed: HealedSpec.default({ settleSeconds: 6 }),
    /** Environment overrides for this case's configuration (e.g. a tighter AUTOFIX_MAX_MEMORY). */
    env: z.record(z.string().regex(/^AUTOFIX_[A-Z_]+$/), z.string()).default({}),
    expect: z.object({ category: Category, outcome: Outcome, heals: z.boolean() }),
  })
  .strict();
export type CaseSpec = z.infer<typeof CaseSpec>;

export interface EvalCase extends CaseSpec {
  name: string;
  manifests: Array<Record<string, unknown>>;
  /** A second release applied once the first is available (a rollout that breaks the workload). */
  breakPatch: PatchOp[] | null;
}

function fail(path: string, why: string): never {
  throw new AutofixError(ErrorCode.BadInput, `Eval case ${path}: ${why}`, {
    hint: 'Fix the case folder (see eval/README.md for the format).',
  });
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
  if (spec.data.symptom === null && spec.data.expect.category !== 'healthy')
    fail(folder, 'only a healthy case may leave symptom null');
  const breakFile = join(folder, 'break.yaml');
  const breakPatch = existsSync(breakFile)
    ? z.array(PatchOp).parse(parse(readFileSync(breakFile, 'utf8')))
    : null;
  return { ...spec.data, name, manifests, breakPatch };
}

/** Every case folder under `dir`, sorted; `only` filters by folder name (an unknown name is an error). */
export function loadCases(dir: string, only: string[] = []): EvalCase[] {
  if (!existsSync(dir))
    throw new AutofixError(ErrorCode.BadInput, `No eval cases at ${dir}.`, { hint: 'Pass --cases <dir>.' });
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const unknown = only.filter((n) => !names.includes(n));
  if (unknown.length > 0)
    throw new AutofixError(ErrorCode.BadInput, `No eval case named ${unknown.join(', ')} in ${dir}.`, {
      hint: `Known cases: ${names.join(', ')}.`,
    });
  return names.filter((n) => only.length === 0 || only.includes(n)).map((name) => loadCase(dir, name));
}
