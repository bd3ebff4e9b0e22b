// Impersonation on the wire: the headers the API server reads, and a cluster that reads as the worker and writes as the human.
import { describe, expect, it } from 'vitest';
import { createKubeCluster } from '../../../src/k8s/kube-cluster.js';
import type { KubeHttp, KubeRequest } from '../../../src/k8s/kube-http.js';
import { EXTRA_KEYS, impersonationHeaders, writingAs } from '../../../src/k8s/impersonation.js';

const priya = {
  user: 'priya@example.com',
  groups: ['sre', 'oncall'],
  extra: { [EXTRA_KEYS.proposal]: ['p123'], [EXTRA_KEYS.slackUser]: ['U024BE7LH'], empty: [] },
};

/** A transport that records each request with the headers its chain added, answering `answer`. */
function fakeHttp(answer: (req: KubeRequest) => { status: number; body: unknown }) {
  const sent: Array<{ req: KubeRequest; headers: Record<string, string | string[]> }> = [];
  const make = (headers: Record<string, string | string[]>): KubeHttp => ({
    async send(req) {
      sent.push({ req, headers });
      const a = answer(req);
      return { ...a, text: JSON.stringify(a.body) };
    },
    withHeaders: (more) => make({ ...headers, ...more }),
    calls: () => sent.length,
    user: 'system:serviceaccount:kube-autofix:worker',
    server: 'https://k8s.test',
  });
  return { http: make({}), sent };
}

const live = { metadata: { uid: 'u1', generation: 3, name: 'web' }, spec: {} };
const target = { kind: 'Deployment' as const, name: 'web', namespace: 'shop' };

describe('impersonationHeaders', () => {
  it('one user, each group and each extra value as its own header; extra keys escaped', () => {
    expect(impersonationHeaders(priya)).toEqual({
      'impersonate-user': 'priya@example.com',
      'impersonate-group': ['sre', 'oncall'],
      'impersonate-extra-kube-autofix.io%2Fproposal': ['p123'],
      'impersonate-extra-kube-autofix.io%2Fslack-user': ['U024BE7LH'],
    });
  });
});

describe('KubeCluster.as and writingAs', () => {
  it('as(): every request carries the headers; errors name who it was sent as', async () => {
    const { http, sent } = fakeHttp(() => ({
      status: 403,
      body: { message: 'deployments.apps "web" is forbidden' },
    }));
    const as = createKubeCluster({ http }).as(priya);
    expect(as.identity).toBe('priya@example.com (impersonated by system:serviceaccount:kube-autofix:worker)');
    const err = await as
      .patchWorkload(target, [], { uid: 'u1', generation: 3, dryRun: false })
      .catch((e) => e);
    expect(sent[0]!.headers['impersonate-user']).toBe('priya@example.com');
    expect((err as Error & { hint: string }).hint).toMatch(
      /either priya@example\.com lacks this RBAC permission/,
    );
  });

  it('writingAs(): reads go as the worker, the patch (and a dry-run) as the human', async () => {
    const { http, sent } = fakeHttp((req) => ({ status: 200, body: req.method === 'GET' ? live : live }));
    const cluster = writingAs(createKubeCluster({ http }), priya);
    await cluster.getWorkload(target);
    // The Secret values redaction masks (apply re-reads them) are the worker's to read, never the human's.
    await cluster.getSecretValues('shop', 'db');
    await cluster.patchWorkload(target, [], { uid: 'u1', generation: 3, dryRun: true });
    expect(sent.map((s) => [s.req.method, s.req.path, s.headers['impersonate-user'] ?? null])).toEqual([
      ['GET', expect.stringContaining('/deployments/web'), null],
      ['GET', expect.stringContaining('/secrets/db'), null],
      ['PATCH', expect.stringContaining('/deployments/web'), 'priya@example.com'],
    ]);
    expect(cluster.apiCalls()).toBe(3);
  });

  it('reviewAccess(): a SubjectAccessReview for the subject; the answer in words, the reason kept', async () => {
    const { http, sent } = fakeHttp(() => ({
      status: 201,
      body: { status: { allowed: false, reason: 'no RBAC policy matched' } },
    }));
    const review = await createKubeCluster({ http }).reviewAccess(
      { user: 'lee@example.com', groups: ['viewers'] },
      { verb: 'patch', group: 'apps', resource: 'deployments', namespace: 'shop', name: 'web' },
    );
    expect(review).toEqual({
      allowed: false,
      reason: 'lee@example.com may not patch deployments.apps web in shop (no RBAC policy matched)',
    });
    expect(sent[0]!.req).toMatchObject({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    });
    expect(JSON.parse(sent[0]!.req.body!).spec).toEqual({
      user: 'lee@example.com',
      groups: ['viewers'],
      resourceAttributes: {
        verb: 'patch',
        group: 'apps',
        resource: 'deployments',
        namespace: 'shop',
        name: 'web',
      },
    });
    // "denied" wins over "allowed" (an authorizer may say both), and no reason is still a sentence.
    const both = fakeHttp(() => ({ status: 201, body: { status: { allowed: true, denied: true } } }));
    expect(
      await createKubeCluster({ http: both.http }).reviewAccess(
        { user: 'x', groups: [] },
        { verb: '*', group: '*', resource: '*', namespace: '' },
      ),
    ).toEqual({ allowed: false, reason: 'x may not * *.* cluster-wide' });
  });
});
