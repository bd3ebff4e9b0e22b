// The strict structured-output schema the LLM answers in, and its translation into a domain Diagnosis.
import { z } from 'zod';
import { Category, Change, Diagnosis, type PatchOp } from '../../../domain/index.js';
import { jsonDepth } from '../../../domain/json-access.js';

/** Deeper than any field of a workload can be; deeper values are refused before anything walks them. */
export const MAX_VALUE_DEPTH = 32;

/**
 * A pointer into the workload, anchored both ends with "/" in a class (the form llama.cpp's grammar accepts):
 * only the characters a workload's keys have (label keys' "/" escaped as ~1) and a length bound, so a
 * grammar-constrained model must close the string — with `.` the grammar let a quote continue it forever.
 */
const POINTER = /^[/][-A-Za-z0-9_.~/]{0,255}$/;
/** Bounds on the lists, sent as maxItems: a looping model cannot repeat items until its token bound. */
const MAX_SUMMARY_ITEMS = 12;
const MAX_PATCH_OPS = 24;
const pointer = z
  .string()
  .regex(
    POINTER,
    'must be a JSON Pointer starting with "/", of letters, digits and - _ . ~ / only, at most 256 characters',
  )
  .describe('JSON Pointer into the workload object, e.g. /spec/template/spec/containers/0/image');

/*
 * The one schema of the reply: sent as the wire JSON Schema (structured output) and used to parse the reply.
 * Strict-mode shape (every field required, optional ones nullable, no free-form objects, hence valueJson);
 * as tight as servers enforce: enums, a remove/add-replace union, non-empty lists, the pointer pattern.
 * What no grammar enforces (llama.cpp ignores number bounds; valueJson must parse) costs a corrective re-ask.
 */
export const LlmPatchOp = z.discriminatedUnion('op', [
  z.object({
    op: z.enum(['add', 'replace']),
    path: pointer,
    valueJson: z
      .string({ error: 'required for op add or replace: the value as JSON text' })
      .describe('The value as JSON text, e.g. "\\"256Mi\\"" or "{\\"memory\\":\\"256Mi\\"}"'),
  }),
  // A one-value enum rather than const: both grammars and OpenAI's strict mode accept enum.
  z.object({ op: z.enum(['remove']), path: pointer, valueJson: z.null() }),
]);

export const LlmOutput = z.object({
  category: Category,
  rootCause: z.string().describe('The underlying cause, citing the evidence'),
  summary: z.string().describe('One or two sentences for the on-call engineer'),
  confidence: Diagnosis.shape.confidence.describe('From 0 to 1'),
  change: z
    .object({
      summary: Change.shape.summary
        .max(MAX_SUMMARY_ITEMS)
        .describe('One human sentence per effect of the patch'),
      patch: z.array(LlmPatchOp).min(1).max(MAX_PATCH_OPS),
    })
    .nullable()
    .describe('null when no safe automatic change exists'),
  humanAction: z.string().nullable().describe('What a human must do when no safe change exists, else null'),
});
export type LlmOutput = z.infer<typeof LlmOutput>;

const FENCE = /^```(?:json)?\s*([\s\S]*?)\s*```$/;

export type ParsedOutput = { ok: true; diagnosis: Diagnosis } | { ok: false; error: string };

function describeIssues(prefix: string, error: z.ZodError): string {
  return error.issues
    .map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.')}: ${i.message}`)
    .join('; ');
}

function toPatchOp(op: z.infer<typeof LlmPatchOp>, index: number): PatchOp {
  const where = `change.patch.${index}`;
  if (op.op === 'remove') return { op: op.op, path: op.path };
  let value: unknown;
  try {
    value = JSON.parse(op.valueJson) as unknown;
  } catch (e) {
    throw new Error(
      `${where}.valueJson is not valid JSON (${(e as Error).message}): ${op.valueJson.slice(0, 200)}`,
    );
  }
  const depth = jsonDepth(value, MAX_VALUE_DEPTH);
  if (depth > MAX_VALUE_DEPTH)
    throw new Error(`${where}.valueJson nests deeper than ${MAX_VALUE_DEPTH} levels; no workload field does`);
  return { op: op.op, path: op.path, value };
}

function toChange(change: LlmOutput['change']): Change | null {
  if (change === null) return null;
  const candidate = { summary: change.summary, patch: change.patch.map(toPatchOp) };
  const checked = Change.safeParse(candidate);
  if (!checked.success) throw new Error(describeIssues('change', checked.error));
  return checked.data;
}

/** Message content → Diagnosis, or a precise error to feed back to the model in a corrective re-ask. */
export function parseLlmOutput(content: string | null | undefined): ParsedOutput {
  if (!content || content.trim() === '') return { ok: false, error: 'the reply was empty' };
  let json: unknown;
  try {
    // JSON.parse itself copes with deep nesting; the schema walk below is what recursion would overflow.
    // Some OpenAI-compatible servers wrap JSON in a markdown fence even in JSON mode.
    json = JSON.parse(content.trim().replace(FENCE, '$1'));
  } catch (e) {
    return { ok: false, error: `the reply is not valid JSON (${(e as Error).message})` };
  }
  const out = LlmOutput.safeParse(json);
  if (!out.success)
    return { ok: false, error: `the reply does not match the schema: ${describeIssues('', out.error)}` };
  try {
    const { category, rootCause, summary, confidence, humanAction } = out.data;
    const change = toChange(out.data.change);
    return {
      ok: true,
      diagnosis: { category, rootCause, summary, confidence, engine: 'llm', change, humanAction, notes: [] },
    };
  } catch (e) {
    return { ok: false, error: `the change is invalid: ${(e as Error).message}` };
  }
}
