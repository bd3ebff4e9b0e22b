// Mints a kubeconfig for the kube-autofix worker ServiceAccount, bound (by the shipped Role) to the
// given namespaces only, plus the shipped read-only node ClusterRole; in approver mode the read-only Role
// and the impersonator ClusterRole instead, for the given users and groups.
// Usage: npx tsx sandbox/mint-kubeconfig.ts --namespaces shop,payments [--out file]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { KubeConfig, KubernetesObjectApi, CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';

export const WORKER_NAMESPACE = 'kube-autofix';
export const WORKER_ACCOUNT = 'kube-autofix-worker';
/** The approver-mode worker's own account, so its (read-only) Roles never mix with a worker-mode test's. */
export const APPROVER_MODE_ACCOUNT = 'kube-autofix-approver-worker';
const ROLE_FILE = fileURLToPath(new URL('../deploy/kubernetes/worker-role.yaml', import.meta.url));
const APPROVER_ROLE_FILE = fileURLToPath(
  new URL('../deploy/kubernetes/worker-role-approver-mode.yaml', import.meta.url),
);
const IMPERSONATOR_FILE = fileURLToPath(
  new URL('../deploy/kubernetes/worker-impersonator.yaml', import.meta.url),
);
const NODE_READER_FILE = fileURLToPath(
  new URL('../deploy/kubernetes/worker-node-reader.yaml', import.meta.url),
);

const manifests = (file: string): KubernetesObject[] =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as KubernetesObject);

async function applyObject(api: KubernetesObjectApi, obj: KubernetesObject): Promise<void> {
  try {
    await api.create(obj);
  } catch (e) {
    if ((e as { code?: number }).code !== 409) throw e;
    await api.replace(obj);
  }
}

type Rbac = KubernetesObject & {
  subjects?: Array<{ kind: string; name: string; namespace?: string }>;
  roleRef?: { name: string };
  rules?: Array<{ resources?: string[]; resourceNames?: string[] }>;
};

/** A shipped manifest bound to `account` (names suffixed when it is not the shipped account). */
function forAccount(obj: Rbac, account: string): Rbac {
  const rename = (n: string) => (account === WORKER_ACCOUNT ? n : `${n}-${account}`);
  const cluster = obj.kind === 'ClusterRole' || obj.kind === 'ClusterRoleBinding';
  return {
    ...obj,
    metadata: { ...obj.metadata, name: cluster ? rename(obj.metadata!.name!) : obj.metadata!.name },
    ...(obj.subjects
      ? { subjects: obj.subjects.map((s) => ({ ...s, name: account, namespace: WORKER_NAMESPACE })) }
      : {}),
    ...(obj.roleRef && obj.kind === 'ClusterRoleBinding'
      ? { roleRef: { ...obj.roleRef, name: rename(obj.roleRef.name) } }
      : {}),
  };
}

/** The impersonator ClusterRole with `users` and `groups` as its resourceNames (never empty: empty means all). */
function impersonator(obj: Rbac, who: { users: string[]; groups: string[] }): Rbac {
  if (obj.kind !== 'ClusterRole') return obj;
  const names: Record<string, string[]> = { users: who.users, groups: who.groups };
  const rules = (obj.rules ?? []).flatMap((r) => {
    const key = r.resources?.[0] ?? '';
    if (!(key in names)) return [r];
    return names[key]!.length > 0 ? [{ ...r, resourceNames: names[key] }] : [];
  });
  return { ...obj, rules };
}

export interface MintOptions {
  ttlSeconds?: number;
  /** approver: read-only Roles, SubjectAccessReview and impersonation of `impersonate` only (its own account). */
  applyAs?: 'worker' | 'approver';
  impersonate?: { users: string[]; groups: string[] };
}

/** Creates the account, the node reader and a Role+RoleBinding per namespace; returns a token kubeconfig. */
export async function mintWorkerKubeconfig(
  adminKubeconfig: string,
  namespaces: string[],
  opts: MintOptions = {},
): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfig);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const approver = opts.applyAs === 'approver';
  const account = approver ? APPROVER_MODE_ACCOUNT : WORKER_ACCOUNT;
  await applyObject(objects, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: WORKER_NAMESPACE } });
  await applyObject(objects, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: account, namespace: WORKER_NAMESPACE },
  });
  const templates = manifests(approver ? APPROVER_ROLE_FILE : ROLE_FILE) as Rbac[];
  const cluster = [
    ...(manifests(NODE_READER_FILE) as Rbac[]),
    ...(approver
      ? (manifests(IMPERSONATOR_FILE) as Rbac[]).map((o) =>
          impersonator(o, opts.impersonate ?? { users: [], groups: [] }),
        )
      : []),
  ];
  for (const obj of cluster) await applyObject(objects, forAccount(obj, account));
  for (const ns of namespaces) {
    for (const t of templates)
      await applyObject(objects, forAccount({ ...t, metadata: { ...t.metadata, namespace: ns } }, account));
  }
  return serviceAccountKubeconfig(kc, WORKER_NAMESPACE, account, opts.ttlSeconds ?? 3600);
}

/** A kubeconfig (YAML) that authenticates as an existing ServiceAccount with a short-lived token. */
export async function serviceAccountKubeconfig(
  kc: KubeConfig,
  namespace: string,
  account: string,
  ttlSeconds = 3600,
): Promise<string> {
  const token = await kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: account,
    namespace,
    body: {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { audiences: [], expirationSeconds: ttlSeconds },
    },
  });
  const cluster = kc.getCurrentCluster();
  if (!cluster || !token.status?.token) throw new Error(`could not mint a token for ${namespace}/${account}`);
  const caData =
    cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
  const user = `system:serviceaccount:${namespace}:${account}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'sandbox', cluster: { server: cluster.server, 'certificate-authority-data': caData } },
    ],
    users: [{ name: user, user: { token: token.status.token } }],
    contexts: [{ name: 'worker', context: { cluster: 'sandbox', user } }],
    'current-context': 'worker',
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const arg = (flag: string): string | undefined => {
    const i = process.argv.indexOf(flag);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const namespaces = (arg('--namespaces') ?? '').split(',').filter(Boolean);
  if (namespaces.length === 0 || !process.env.KUBECONFIG) {
    process.stderr.write(
      'usage: KUBECONFIG=<admin> npx tsx sandbox/mint-kubeconfig.ts --namespaces ns1,ns2 [--out file]\n',
    );
    process.exit(2);
  }
  const yaml = await mintWorkerKubeconfig(process.env.KUBECONFIG, namespaces);
  const out = arg('--out');
  if (out) writeFileSync(out, yaml, { mode: 0o600 });
  else process.stdout.write(yaml);
}
