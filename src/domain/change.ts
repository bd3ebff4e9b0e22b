// A proposed change as RFC 6902 JSON Patch operations on the live object; policy judges the result.
import { z } from 'zod';

export const PatchOp = z.object({
  op: z.enum(['add', 'remove', 'replace']),
  /** JSON Pointer into the workload, e.g. `/spec/template/spec/containers/0/image`. */
  path: z.string().startsWith('/'),
  value: z.unknown().optional(),
});
export type PatchOp = z.infer<typeof PatchOp>;

export const Change = z.object({
  /** Human sentences, one per effect, e.g. "raise memory limit of container app from 64Mi to 256Mi". */
  summary: z.array(z.string()).min(1),
  patch: z.array(PatchOp).min(1),
});
export type Change = z.infer<typeof Change>;
