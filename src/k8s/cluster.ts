// The Cluster interface: every Kubernetes read and write the agent makes goes through these few calls.
import type {
  AccessReview,
  Impersonation,
  KubeIdentity,
  KubeObject,
  PatchOp,
  ResourceAccess,
  Target,
} from '../domain/index.js';

export type NamespacedResource =
  | 'deployments'
  | 'statefulsets'
  | 'daemonsets'
  | 'replicasets'
  | 'controllerrevisions'
  | 'pods'
  | 'events'
  | 'services'
  | 'endpointslices'
  | 'resourcequotas'
  | 'limitranges'
  | 'configmaps'
  | 'persistentvolumeclaims';

export interface LogOptions {
  container: string;
  previous: boolean;
  tailLines: number;
  limitBytes: number;
}

/** The outcome of a (dry-run or real) patch: tool results as data, not exceptions. */
export type PatchResult =
  | { ok: true; object: KubeObject }
  | {
      ok: false;
      status: number;
      reason: string;
      message: string;
      /**
       * The workload changed since it was read: the server could not apply the patch to it at all (409, or a
       * 422 judging no field: a guard's test op failed or a path is gone), as opposed to refusing the result.
       */
      changed: boolean;
    };

export interface Cluster {
  /** API calls made through this cluster so far (the collector bounds and reports them). */
  apiCalls(): number;
  /** The identity in use, for error messages ("system:serviceaccount:autofix:worker"). */
  readonly identity: string;
  getWorkload(target: Target): Promise<KubeObject | null>;
  list(
    resource: NamespacedResource,
    namespace: string,
    opts?: { labelSelector?: string; limit?: number },
  ): Promise<KubeObject[]>;
  get(resource: NamespacedResource, namespace: string, name: string): Promise<KubeObject | null>;
  /** Names of a Secret's keys; the values never leave the k8s layer. Null when it does not exist. */
  getSecretKeys(namespace: string, name: string): Promise<string[] | null>;
  /**
   * A Secret's values as bytes, for the known-value matcher only (they are masked, never shown or logged).
   * Null when it does not exist; throws FORBIDDEN when RBAC denies the read.
   */
  getSecretValues(namespace: string, name: string): Promise<Uint8Array[] | null>;
  listNodes(): Promise<KubeObject[]>;
  readLog(namespace: string, pod: string, opts: LogOptions): Promise<string>;
  /**
   * Patches the workload with RFC 6902 ops preceded by tests of its uid and generation, so a target
   * whose spec changed since the proposal is refused atomically (status updates do not count).
   * Field manager `kube-autofix`, strict field validation; `dryRun` sends `dryRun=All`.
   */
  patchWorkload(
    target: Target,
    ops: PatchOp[],
    opts: { uid: string; generation: number; dryRun: boolean },
  ): Promise<PatchResult>;
  /**
   * The same cluster with every request sent as `who` (Impersonate-User, -Group, -Extra-…): the API
   * server authorizes it as them and its audit log names them (`impersonatedUser`).
   */
  as(who: Impersonation): Cluster;
  /** A SubjectAccessReview: may `subject` do `access`? The authorizer's answer, in its own words. */
  reviewAccess(subject: KubeIdentity, access: ResourceAccess): Promise<AccessReview>;
}
