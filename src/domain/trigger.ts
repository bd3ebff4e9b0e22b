// What started an investigation when no person asked: an Alertmanager alert (carried from the bot to the run).
import { z } from 'zod';

/** The alert an investigation began with; its facts become the run's `autofix.alert.*` tags and story. */
export const AlertTrigger = z.object({
  kind: z.literal('alert'),
  alertname: z.string().max(200),
  severity: z.string().max(100).nullable(),
  /** Alertmanager's fingerprint of the alert's label set. */
  fingerprint: z.string().max(64),
  /** Alertmanager's group key of the notification that opened the thread. */
  groupKey: z.string().max(2000),
  /** RFC 3339, as Alertmanager sent it. */
  startsAt: z.string().max(64),
  /** The alert's `cluster` label, when it has one (a multi-cluster bot routes by it). */
  cluster: z.string().max(253).nullable(),
});
export type AlertTrigger = z.infer<typeof AlertTrigger>;
