// The failure classes kube-autofix recognises; the public names used in JSON output and MLflow tags.
import { z } from 'zod';

export const Category = z.enum([
  'image_pull',
  'crash_loop',
  'oom_killed',
  'probe_failure',
  'unschedulable',
  'missing_config',
  'quota_exceeded',
  'healthy',
  'unknown',
]);
export type Category = z.infer<typeof Category>;
