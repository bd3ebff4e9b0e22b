// KubeCluster: the Cluster interface over the Kubernetes REST API (read-only reads, JSON-patch writes).
import type {
  AccessReview,
  KubeIdentity,
  KubeObject,
  PatchOp,
  ResourceAccess,
  Target,
} from '../domain/index.js';
import { asRecord, isRecord } from '../domain/json-access.js';
import { AutofixError, ErrorCode } from '../domain/index.js';
import type { Cluster, LogOptions, NamespacedResource, PatchResult } from './cluster.js';
import type { KubeHttp, KubeResponse } from './kube-http.js';
import { createKubeHttp } from './kube-http.js';
import { impersonationHeaders } from './impersonation.js';

export const FIELD_MANAGER = 'kube-autofix';

const GROUP_PATHS: Record<NamespacedResource, string> = {
  deployments: '/apis/apps/v1',
  statefulsets: '/apis/apps/v1',
  daemonsets: '/apis/apps/v1',
  replicasets: '/apis/apps/v1',
  controllerrevisions: '/apis/apps/v1',
  pods: '/api/v1',
  events: '/api/v1',
  services: '/api/v1',
  endpointslices: '/apis/discovery.k8s.io/v1',
  resourcequotas: '/api/v1',
  limitranges: '/api/v1',
  configmaps: '/api/v1',
  persistentvolumeclaims: '/api/v1',
};

const WORKLOAD_PATHS: Record<Target['kind'], string> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
};

function statusMessage(res: KubeResponse): string {
  return isRecord(res.body) && typeof res.body.message === 'string'
    ? res.body.message
    : res.text.slice(0, 500);
}

/** What the API server says when a JSON patch cannot be applied to the stored object at all. */
const PATCH_NOT_APPLICABLE = 'the server rejected our request due to an error in our request';

/**
 * A JSON patch the server could not apply to the stored object comes back as a bare 422 Status (no causes,
 * no object named, the server's generic words), unlike a refusal of the patched object, which names it and
 * its invalid fields, or a webhook's 422, which says its own words.
 */
function patchDidNotApply(res: KubeResponse): boolean {
  if (res.status === 409) return true;
  if (res.status !== 422 || !isRecord(res.body) || res.body.kind !== 'Status') return false;
  const details = isRecord(res.body.details) ? res.body.details : {};
  const causes = Array.isArray(details.causes) ? details.causes : [];
  const bare = causes.length === 0 && details.name === undefined && details.kind === undefined;
  return bare && res.body.message === PATCH_NOT_APPLICABLE;
}

function workloadPath(t: Target): string {
  return `/apis/apps/v1/namespaces/${t.namespace}/${WORKLOAD_PATHS[t.kind]}/${t.name}`;
}

/** "priya may not patch deployments.apps in shop", then the authorizer's reason when it gave one. */
function reviewWords(subject: KubeIdentity, a: ResourceAccess, status: Record<string, unknown>): string {
  const resource = a.group ? `${a.resource}.${a.group}` : a.resource;
  const allowed = status.allowed === true && status.denied !== true;
  const said = [status.reason, status.evaluationError].filter((v) => typeof v === 'string' && v !== '');
  const where = a.namespace ? `in ${a.namespace}` : 'cluster-wide';
  const head = `${subject.user} ${allowed ? 'may' : 'may not'} ${a.verb} ${resource}${a.name ? ` ${a.name}` : ''} ${where}`;
  return said.length > 0 ? `${head} (${said.join('; ')})` : head;
}

export function createKubeCluster(
  opts: { kubeconfig?: string; http?: KubeHttp; actingAs?: string } = {},
): Cluster {
  const http = opts.http ?? createKubeHttp(opts.kubeconfig);
  const identity = opts.actingAs ? `${opts.actingAs} (impersonated by ${http.user})` : http.user;

  function fail(res: KubeResponse, what: string): never {
    const message = statusMessage(res);
    if (res.status === 401 || res.status === 403) {
      throw new AutofixError(ErrorCode.Forbidden, `Not allowed to ${what}: ${message}`, {
        hint: opts.actingAs
          ? `The request was sent as ${identity}: either ${opts.actingAs} lacks this RBAC permission, or the worker may not impersonate them (AUTOFIX_IDENTITIES and the chart's impersonation ClusterRole must agree).`
          : `The credentials in use (${http.user}) lack RBAC permission; grant the worker's Role in that namespace.`,
      });
    }
    throw new AutofixError(
      ErrorCode.ClusterUnreachable,
      `Kubernetes API error ${res.status} while trying to ${what}: ${message}`,
    );
  }

  async function getJson(
    path: string,
    what: string,
    query?: Record<string, string | number | undefined>,
  ): Promise<KubeObject | null> {
    const res = await http.send({ method: 'GET', path, query });
    if (res.status === 404) return null;
    if (res.status >= 300 || !isRecord(res.body)) fail(res, what);
    return res.body as KubeObject;
  }

  return {
    apiCalls: () => http.calls(),
    identity,

    as: (who) => createKubeCluster({ http: http.withHeaders(impersonationHeaders(who)), actingAs: who.user }),

    async reviewAccess(subject, a): Promise<AccessReview> {
      const body = JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: subject.user,
          groups: subject.groups,
          resourceAttributes: {
            verb: a.verb,
            group: a.group,
            resource: a.resource,
            ...(a.namespace ? { namespace: a.namespace } : {}),
            ...(a.name ? { name: a.name } : {}),
          },
        },
      });
      const res = await http.send({
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
        body,
      });
      if (res.status >= 300 || !isRecord(res.body)) fail(res, 'create subjectaccessreviews');
      const status = asRecord(res.body.status);
      return {
        allowed: status.allowed === true && status.denied !== true,
        reason: reviewWords(subject, a, status),
      };
    },

    getWorkload: (t) => getJson(workloadPath(t), `get ${t.kind.toLowerCase()} ${t.name} in ${t.namespace}`),

    async list(resource, namespace, o = {}) {
      const body = await getJson(
        `${GROUP_PATHS[resource]}/namespaces/${namespace}/${resource}`,
        `list ${resource} in ${namespace}`,
        {
          labelSelector: o.labelSelector,
          limit: o.limit ?? 500,
        },
      );
      const items = body?.items;
      return Array.isArray(items) ? items.filter(isRecord) : [];
    },

    get: (resource, namespace, name) =>
      getJson(
        `${GROUP_PATHS[resource]}/namespaces/${namespace}/${resource}/${name}`,
        `get ${resource} ${name} in ${namespace}`,
      ),

    async getSecretKeys(namespace, name) {
      const secret = await getJson(
        `/api/v1/namespaces/${namespace}/secrets/${name}`,
        `get secret ${name} in ${namespace}`,
      );
      if (!secret) return null;
      const keys = new Set<string>();
      for (const field of ['data', 'stringData']) {
        const d = secret[field];
        if (isRecord(d)) for (const k of Object.keys(d)) keys.add(k);
      }
      return [...keys].sort();
    },

    async getSecretValues(namespace, name) {
      const secret = await getJson(
        `/api/v1/namespaces/${namespace}/secrets/${name}`,
        `get secret ${name} in ${namespace}`,
      );
      if (!secret) return null;
      const data = isRecord(secret.data) ? Object.values(secret.data) : [];
      const strings = isRecord(secret.stringData) ? Object.values(secret.stringData) : [];
      return [
        ...data.filter((v) => typeof v === 'string').map((v) => new Uint8Array(Buffer.from(v, 'base64'))),
        ...strings.filter((v) => typeof v === 'string').map((v) => new TextEncoder().encode(v)),
      ];
    },

    async listNodes() {
      const body = await getJson('/api/v1/nodes', 'list nodes', { limit: 500 });
      return Array.isArray(body?.items) ? body.items.filter(isRecord) : [];
    },

    async readLog(namespace, pod, o: LogOptions) {
      const res = await http.send({
        method: 'GET',
        path: `/api/v1/namespaces/${namespace}/pods/${pod}/log`,
        query: {
          container: o.container,
          previous: o.previous,
          tailLines: o.tailLines,
          limitBytes: o.limitBytes,
        },
      });
      if (res.status >= 300)
        fail(res, `read logs of ${pod}/${o.container}${o.previous ? ' (previous)' : ''}`);
      return res.text;
    },

    async patchWorkload(t: Target, ops: PatchOp[], o): Promise<PatchResult> {
      const guard = [
        { op: 'test', path: '/metadata/uid', value: o.uid },
        { op: 'test', path: '/metadata/generation', value: o.generation },
      ];
      const body = JSON.stringify([...guard, ...ops]);
      const res = await http.send({
        method: 'PATCH',
        path: workloadPath(t),
        query: {
          fieldManager: FIELD_MANAGER,
          fieldValidation: 'Strict',
          dryRun: o.dryRun ? 'All' : undefined,
        },
        body,
        contentType: 'application/json-patch+json',
      });
      if (res.status < 300 && isRecord(res.body)) return { ok: true, object: res.body };
      if (res.status === 401 || res.status === 403)
        fail(res, `patch ${t.kind.toLowerCase()} ${t.name} in ${t.namespace}`);
      const reason =
        isRecord(res.body) && typeof res.body.reason === 'string' ? res.body.reason : `HTTP ${res.status}`;
      return {
        ok: false,
        status: res.status,
        reason,
        message: statusMessage(res),
        changed: patchDidNotApply(res),
      };
    },
  };
}
