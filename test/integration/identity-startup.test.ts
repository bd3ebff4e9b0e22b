// AUTOFIX_APPLY_AS=approver refuses to start on a bad identity map: a file with errors (the line named), a
// group that maps to system:masters, and a group the cluster itself lets do everything. Nothing starts.
import { randomBytes } from 'node:crypto';
import { KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliProcess } from './support/cli-process.js';
import { approverWorkerKubeconfig, identityFileText, writeTemp } from './support/identities.js';
import { useNamespace, type Kube } from './support/kube.js';
import { sandboxEnv } from './sandbox-env.js';

let k: Kube;
let ns: string;
let workerKubeconfig: string;
const admins = `autofix-test-admins-${randomBytes(3).toString('hex')}`;
const prefix = `t${randomBytes(5).toString('hex')}`;

useNamespace('ident-start', (kube, name) => ([k, ns] = [kube, name]));

const rbac = (): RbacAuthorizationV1Api => {
  const kc = new KubeConfig();
  kc.loadFromFile(k.kubeconfig);
  return kc.makeApiClient(RbacAuthorizationV1Api);
};

beforeAll(async () => {
  workerKubeconfig = await approverWorkerKubeconfig(k, [ns]);
  // A group this cluster binds to cluster-admin: impersonating it would make the worker cluster-admin.
  await rbac().createClusterRoleBinding({
    body: {
      metadata: { name: admins },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: admins }],
    },
  });
});
afterAll(async () => {
  await rbac()
    .deleteClusterRoleBinding({ name: admins })
    .catch(() => undefined);
});

async function startWorker(identities: string) {
  const env = sandboxEnv();
  return cliProcess(['worker', '--port', '0'], {
    KUBECONFIG: workerKubeconfig,
    REDIS_URL: env.REDIS_URL,
    SLACK_BOT_TOKEN: 'xoxb-startup-test',
    AUTOFIX_NAMESPACES: ns,
    AUTOFIX_QUEUE_PREFIX: prefix,
    AUTOFIX_APPLY_AS: 'approver',
    AUTOFIX_IDENTITIES: writeTemp('identities.yaml', identities),
  });
}

async function nothingStarted(): Promise<void> {
  const redis = new Redis(sandboxEnv().REDIS_URL);
  try {
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
  } finally {
    redis.disconnect();
  }
}

describe('approver mode start-up refusals', () => {
  it('a file with errors: a clear error naming the line; exit 2', async () => {
    const run = await startWorker(`${identityFileText()}U0BAD:\n  groups: [sre]\n`);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /kube-autofix worker: AUTOFIX_IDENTITIES \(.*identities\.yaml.* line \d+\): U0BAD\.user: a Slack user needs `user:`/,
    );
    await nothingStarted();
  });

  it('a Slack user group mapped to system:masters: refused at start', async () => {
    const run = await startWorker(`${identityFileText()}S0ADMINS:\n  groups: [system:masters]\n`);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/S0ADMINS\.groups\.0: group system:masters is never impersonated/);
    await nothingStarted();
  });

  it('a group this cluster binds to cluster-admin: the worker asks the cluster and does not start', async () => {
    const run = await startWorker(`${identityFileText()}S0ADMINS:\n  groups: [${admins}]\n`);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `AUTOFIX_IDENTITIES maps S0ADMINS to groups ${admins}, which may do everything in this cluster (cluster-admin equivalent)`,
    );
    await nothingStarted();
  });
});
