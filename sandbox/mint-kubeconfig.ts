// Mints a kubeconfig for the kube-autofix worker ServiceAccount, bound (by the shipped Role) to the
// given namespaces only, plus the shipped read-only node ClusterRole. Usage: npx tsx sandbox/mint-kubeconfig.ts --namespaces shop,payments [--out file]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { KubeConfig, KubernetesObjectApi, CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';

export const WORKER_NAMESPACE = 'kube-autofix';
export const WORKER_ACCOUNT = 'kube-autofix-worker';
const ROLE_FILE = fileURLToPath(new URL('../deploy/kubernetes/worker-role.yaml', import.meta.url));
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

/** Creates the account, the node reader and a Role+RoleBinding per namespace; returns a token kubeconfig. */
export async function mintWorkerKubeconfig(
  adminKubeconfig: string,
  namespaces: string[],
  ttlSeconds = 3600,
): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfig);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  await applyObject(objects, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: WORKER_NAMESPACE } });
  await applyObject(objects, {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: WORKER_ACCOUNT, namespace: WORKER_NAMESPACE },
  });
  const templates = manifests(ROLE_FILE);
  for (const obj of manifests(NODE_READER_FILE)) await applyObject(objects, obj);
  for (const ns of namespaces) {
    for (const t of templates)
      await applyObject(objects, { ...t, metadata: { ...t.metadata, namespace: ns } });
  }
  return serviceAccountKubeconfig(kc, WORKER_NAMESPACE, WORKER_ACCOUNT, ttlSeconds);
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
