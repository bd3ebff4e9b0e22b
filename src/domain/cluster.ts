// Cluster names: each worker serves one cluster, named by AUTOFIX_CLUSTER; jobs, proposals and runs carry it.
import { z } from 'zod';
import { DNS1123_LABEL } from './target.js';

/** The cluster of an installation that names none. */
export const DEFAULT_CLUSTER = 'default';

/** A DNS label (it becomes part of Redis keys, MLflow tags and Helm release names). */
export const ClusterName = z
  .string()
  .max(63)
  .regex(DNS1123_LABEL, 'must be a lowercase RFC 1123 label (letters, digits, "-")');
export type ClusterName = z.infer<typeof ClusterName>;

/** A stored record or job written before clusters existed belongs to the default one. */
export const ClusterField = ClusterName.default(DEFAULT_CLUSTER);
