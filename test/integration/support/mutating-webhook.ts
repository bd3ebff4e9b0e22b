// A real mutating admission webhook for the sandbox's kube-apiserver: an HTTPS server with a throwaway
// certificate, registered for Deployment updates in one namespace, answering with a JSON Patch.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdmissionregistrationV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Kube } from './kube.js';

export interface AdmissionCall {
  operation: string;
  dryRun: boolean;
  name: string;
}

export interface MutatingWebhook {
  /** Every admission request the server answered, in order. */
  readonly calls: AdmissionCall[];
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1, made by openssl (the API server checks it against caBundle). */
function certificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Review {
  request: { uid: string; operation: string; dryRun?: boolean; name?: string };
}

/**
 * Registers a webhook that applies `patch` (JSON Patch ops) to every Deployment update in `namespace`,
 * dry-run or not (sideEffects None: the API server calls it for both).
 */
export async function startMutatingWebhook(
  k: Kube,
  namespace: string,
  patch: unknown[],
): Promise<MutatingWebhook> {
  const { key, cert } = certificate();
  const calls: AdmissionCall[] = [];
  const server = createServer({ key, cert }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const review = JSON.parse(body) as Review;
      const r = review.request;
      calls.push({ operation: r.operation, dryRun: r.dryRun === true, name: r.name ?? '' });
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: {
            uid: r.uid,
            allowed: true,
            patchType: 'JSONPatch',
            patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
          },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const kc = new KubeConfig();
  kc.loadFromFile(k.kubeconfig);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  const name = `autofix-test-${namespace}`;
  await admission.createMutatingWebhookConfiguration({
    body: {
      metadata: { name },
      webhooks: [
        {
          name: 'mutate.autofix.test',
          clientConfig: {
            url: `https://127.0.0.1:${port}/mutate`,
            caBundle: Buffer.from(cert).toString('base64'),
          },
          rules: [
            { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['UPDATE'], resources: ['deployments'] },
          ],
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          failurePolicy: 'Fail',
          timeoutSeconds: 5,
        },
      ],
    },
  });
  return {
    calls,
    async close() {
      await admission.deleteMutatingWebhookConfiguration({ name }).catch(() => undefined);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
