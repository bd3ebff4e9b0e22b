// What one analyzer concluded, with the evidence it rests on, so engines and humans can check it.
import { z } from 'zod';
import { Category } from './category.js';

export const Fact = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type Fact = z.infer<typeof Fact>;

export const Finding = z.object({
  analyzer: z.string(),
  category: Category,
  severity: z.enum(['critical', 'warning', 'info']),
  /** One sentence a human can read in Slack. */
  message: z.string(),
  container: z.string().nullable(),
  /** Structured facts engines act on, e.g. {limit: "64Mi", exitCode: 137} or {configMap: "app-config"}. */
  facts: z.record(z.string(), Fact),
  /** Quotes from the evidence (event messages, status reasons, log lines) that support the finding. */
  evidence: z.array(z.string()),
});
export type Finding = z.infer<typeof Finding>;
