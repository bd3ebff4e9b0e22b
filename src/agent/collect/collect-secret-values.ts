// The workload's own secret values, read to mask them wherever they appear; a refused read is a gap, not a failure.
import { AutofixError } from '../../domain/index.js';
import type { Cluster } from '../../k8s/cluster.js';
import { knownValues, type KnownValues } from '../../safety/known-values.js';
import { secretsUsed } from '../../safety/workload-secrets.js';

/** At most this many Secrets are read per workload (a pod rarely uses more than a handful). */
export const MAX_SECRETS_READ = 20;

/**
 * The known-value matcher for `workload`: the values of every Secret its pods use (see secretsUsed).
 * Secrets it cannot read (RBAC, budget) are named in `gaps`: their values are then masked by shape only.
 */
export async function readKnownValues(
  cluster: Cluster,
  namespace: string,
  workload: unknown,
  gaps: string[],
): Promise<KnownValues> {
  const names = secretsUsed(workload);
  const read = names.slice(0, MAX_SECRETS_READ);
  const unread = names.slice(MAX_SECRETS_READ);
  const values = await Promise.all(
    read.map(async (name) => {
      try {
        return (await cluster.getSecretValues(namespace, name)) ?? [];
      } catch (e) {
        if (!(e instanceof AutofixError)) throw e;
        unread.push(name);
        return [];
      }
    }),
  );
  if (unread.length > 0)
    gaps.push(
      `secret values: could not read Secret ${unread.sort().join(', ')}; its values are masked by their shape only, not wherever they appear (grant the worker get on secrets in ${namespace}, as the chart does)`,
    );
  return knownValues(values.flat());
}
