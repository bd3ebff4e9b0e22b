// Test identities on the sandbox (humans kube-autofix impersonates), their RoleBindings, and the real audit log.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  KubeConfig,
  KubernetesObjectApi,
  RbacAuthorizationV1Api,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import { mintWorkerKubeconfig } from '../../../sandbox/mint-kubeconfig.js';
import { sandboxEnv } from '../sandbox-env.js';
import type { Kube } from './kube.js';
import { waitFor } from './wait-for.js';

/** Slack user id → the Kubernetes identity the test file maps it to. */
export const PEOPLE = {
  priya: { slack: 'U0PRIYA', user: 'priya@example.com', groups: ['sre'] },
  ana: { slack: 'U0ANA', user: 'ana@example.com', groups: ['sre'] },
  sam: { slack: 'U0SAM', user: 'sam@example.com', groups: ['sre'] },
  /** Bound to the viewer role only: may read, may not patch. */
  lee: { slack: 'U0LEE', user: 'lee@example.com', groups: ['viewers'] },
} as const;
export type Person = keyof typeof PEOPLE;
/** A Slack user with no entry in the identity file. */
export const NOBODY = 'U0NOBODY';

export const EDITOR_ROLE = 'autofix-test-workload-editor';
export const VIEWER_ROLE = 'autofix-test-workload-viewer';
const ROLES_FILE = resolve(import.meta.dirname, '../../../sandbox/kwok/test-identities.yaml');

/** The identity file's text for PEOPLE (what AUTOFIX_IDENTITIES points at); `also` maps more Slack ids to them. */
export function identityFileText(also: Record<string, Person> = {}): string {
  const entry = (p: (typeof PEOPLE)[Person]) => ({ user: p.user, groups: [...p.groups] });
  return stringify({
    ...Object.fromEntries(Object.values(PEOPLE).map((p) => [p.slack, entry(p)])),
    ...Object.fromEntries(Object.entries(also).map(([slack, person]) => [slack, entry(PEOPLE[person])])),
  });
}

/** Writes `text` to a fresh file and returns its path. */
export function writeTemp(name: string, text: string): string {
  const file = join(tmpdir(), `${name}-${randomBytes(4).toString('hex')}`);
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

/** The same map the worker reads from the file, for the workflow-level tests. */
export function identityOf(slackUser: string): { user: string; groups: string[] } | null {
  const p = Object.values(PEOPLE).find((x) => x.slack === slackUser);
  return p ? { user: p.user, groups: [...p.groups] } : null;
}

function objectsApi(k: Kube): KubernetesObjectApi {
  const kc = new KubeConfig();
  kc.loadFromFile(k.kubeconfig);
  return KubernetesObjectApi.makeApiClient(kc);
}

function rbacApi(k: Kube): RbacAuthorizationV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(k.kubeconfig);
  return kc.makeApiClient(RbacAuthorizationV1Api);
}

/** The sandbox's test roles (up.sh applies them too; a sandbox started before they existed gets them here). */
export async function ensureTestRoles(k: Kube): Promise<void> {
  const api = objectsApi(k);
  for (const doc of parseAllDocuments(readFileSync(ROLES_FILE, 'utf8'))) {
    const obj = doc.toJS() as KubernetesObject;
    await api.create(obj).catch(async (e: { code?: number }) => {
      if (e.code !== 409) throw e;
      await api.replace(obj);
    });
  }
}

/** Binds `person` in `namespace` to the editor (may patch) or viewer role; replaces an earlier binding. */
export async function bind(
  k: Kube,
  namespace: string,
  person: Person,
  role: 'editor' | 'viewer',
): Promise<void> {
  const name = `autofix-test-${person}`;
  const body = {
    metadata: { name, namespace },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: role === 'editor' ? EDITOR_ROLE : VIEWER_ROLE,
    },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: PEOPLE[person].user }],
  };
  const rbac = rbacApi(k);
  // roleRef is immutable: a changed role is a new binding.
  await rbac.deleteNamespacedRoleBinding({ name, namespace }).catch(() => undefined);
  await rbac.createNamespacedRoleBinding({ namespace, body });
}

/** The approver-mode worker's kubeconfig file: read-only in `namespaces`, impersonating PEOPLE only. */
export async function approverWorkerKubeconfig(k: Kube, namespaces: string[]): Promise<string> {
  const users = Object.values(PEOPLE).map((p) => p.user);
  const groups = [...new Set(Object.values(PEOPLE).flatMap((p) => p.groups))];
  const yaml = await mintWorkerKubeconfig(k.kubeconfig, namespaces, {
    applyAs: 'approver',
    impersonate: { users, groups },
  });
  return writeTemp('approver-worker-kubeconfig', yaml);
}

/** One audit event as kube-apiserver writes it (JSON lines, level Metadata). */
export interface AuditEvent {
  verb: string;
  requestURI: string;
  stage: string;
  user: { username: string; groups?: string[] };
  impersonatedUser?: { username: string; groups?: string[]; extra?: Record<string, string[]> };
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus?: { code?: number };
}

const RESTART = 'Restart it: npm run sandbox:down && npm run sandbox:up';

/** The sandbox's audit log (up.sh links it under .sandbox/logs/); a clear error when the sandbox predates it. */
export function auditLogPath(): string {
  const env = sandboxEnv();
  const path = env.SANDBOX_AUDIT_LOG ?? join(env.SANDBOX_DIR, 'logs', 'kube-apiserver-audit.log');
  if (!existsSync(path))
    throw new Error(
      `The sandbox has no audit log at ${path}: it was started before the audit policy existed. ${RESTART}`,
    );
  return path;
}

/**
 * Fails at once, saying why, unless the audit log is live: the file exists and kube-apiserver wrote the
 * create event of the RoleBindings `bind` made in `namespace`. Without this a test asserting that nothing
 * was patched would pass on a sandbox that audits nothing.
 */
export async function requireAuditLog(namespace: string): Promise<void> {
  const path = auditLogPath();
  const audited = () =>
    auditEvents().some(
      (e) =>
        e.verb === 'create' &&
        e.objectRef?.resource === 'rolebindings' &&
        e.objectRef.namespace === namespace,
    );
  await waitFor(async () => audited(), {
    what: 'the audit event of a RoleBinding just created',
    timeoutMs: 20_000,
  }).catch(() => {
    throw new Error(
      `The sandbox's kube-apiserver writes no audit events to ${path} (none for the RoleBindings created in ${namespace}): it was started without sandbox/kwok/audit-policy.yaml. ${RESTART}`,
    );
  });
}

/** Every complete event so far (a line being written is skipped). */
export function auditEvents(): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (const line of readFileSync(auditLogPath(), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as AuditEvent;
      if (e.stage === 'ResponseComplete') out.push(e);
    } catch {
      // the last line may still be half written
    }
  }
  return out;
}

/** PATCH events kube-autofix's worker sent (as itself or impersonating) on one workload, dry-runs apart. */
export function workloadPatches(
  namespace: string,
  name: string,
  opts: { dryRun?: boolean } = {},
): AuditEvent[] {
  return auditEvents().filter(
    (e) =>
      e.verb === 'patch' &&
      e.user.username.startsWith('system:serviceaccount:kube-autofix:') &&
      e.objectRef?.resource === 'deployments' &&
      e.objectRef.namespace === namespace &&
      e.objectRef.name === name &&
      /[?&]dryRun=All/.test(e.requestURI) === (opts.dryRun ?? false),
  );
}
