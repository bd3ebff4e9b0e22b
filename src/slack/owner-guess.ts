// A guess, from the name alone, at the Deployment a pod or ReplicaSet belongs to (the bot cannot read the cluster).
import type { TargetRef } from '../domain/index.js';

/** The characters Kubernetes uses for pod-template hashes and generated suffixes (no vowels, no 0/1/3). */
const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
/** `<deployment>-<pod-template-hash>-<5 random>`: the hash is a 32-bit number spelled in SAFE, so 6 to 10 long. */
const DEPLOYMENT_POD = new RegExp(`^(.+)-${SAFE}{6,10}-${SAFE}{5}$`);
const DEPLOYMENT_RS = new RegExp(`^(.+)-${SAFE}{6,10}$`);

/** The Deployment name the object's name points to, or null when it does not have that shape; never verified. */
export function guessDeploymentOf(ref: TargetRef): string | null {
  const shape = ref.kind === 'Pod' ? DEPLOYMENT_POD : ref.kind === 'ReplicaSet' ? DEPLOYMENT_RS : null;
  return shape?.exec(ref.name)?.[1] ?? null;
}
