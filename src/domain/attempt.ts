// An earlier iteration's change and why it failed (policy, dry-run, or a rollout that did not heal).
import { z } from 'zod';
import { Change } from './change.js';

export const AttemptRecord = z.object({
  iteration: z.number().int().min(1),
  change: Change.nullable(),
  /** Exact schema, policy and dry-run errors, or "rollout did not become healthy: …". */
  errors: z.array(z.string()),
});
export type AttemptRecord = z.infer<typeof AttemptRecord>;
