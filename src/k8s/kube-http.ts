// Minimal Kubernetes REST transport over the kubeconfig's credentials; counts every call it makes.
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { RequestOptions } from 'node:https';
import { delimiter } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { AutofixError, ErrorCode } from '../domain/index.js';

export interface KubeResponse {
  status: number;
  /** Parsed JSON body, or the raw text for non-JSON answers (logs). */
  body: unknown;
  text: string;
}

export interface KubeRequest {
  method: 'GET' | 'PATCH' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: string;
  contentType?: string;
  timeoutMs?: number;
}

export interface KubeHttp {
  send(req: KubeRequest): Promise<KubeResponse>;
  /** Calls made since creation. */
  calls(): number;
  /** The user the credentials belong to, for error messages. */
  readonly user: string;
  readonly server: string;
}

function buildPath(path: string, query: KubeRequest['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Loads the kubeconfig (KUBECONFIG or in-cluster) and returns a counting transport. */
export function createKubeHttp(kubeconfigPath?: string): KubeHttp {
  const kc = new KubeConfig();
  try {
    // A single path is read as given; a list (a:b) is merged the way kubectl does.
    if (kubeconfigPath && !kubeconfigPath.includes(delimiter)) kc.loadFromFile(kubeconfigPath);
    else kc.loadFromDefault();
  } catch (e) {
    throw new AutofixError(
      ErrorCode.ConfigInvalid,
      `Could not read the kubeconfig: ${(e as Error).message}.`,
      {
        hint: 'Set KUBECONFIG to a readable kubeconfig file.',
      },
    );
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new AutofixError(ErrorCode.ConfigInvalid, 'The kubeconfig has no current cluster.', {
      hint: 'Set KUBECONFIG (or the current-context) to the cluster to investigate.',
    });
  }
  const server = new URL(cluster.server);
  let count = 0;
  const user = kc.getCurrentUser()?.name ?? 'unknown';

  async function send(req: KubeRequest): Promise<KubeResponse> {
    count += 1;
    const opts: RequestOptions = {
      method: req.method,
      protocol: server.protocol,
      hostname: server.hostname,
      port: server.port,
      path: server.pathname.replace(/\/$/, '') + buildPath(req.path, req.query),
      headers: { accept: 'application/json' },
      timeout: req.timeoutMs ?? 15_000,
    };
    await kc.applyToHTTPSOptions(opts);
    const headers = opts.headers as Record<string, string>;
    if (req.body !== undefined) {
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(req.body));
    }
    const doRequest = server.protocol === 'http:' ? httpRequest : request;
    return new Promise<KubeResponse>((resolve, reject) => {
      const r = doRequest(opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          if ((res.headers['content-type'] ?? '').includes('json')) {
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
          }
          resolve({ status: res.statusCode ?? 0, body, text });
        });
        res.on('error', reject);
      });
      r.on('timeout', () => r.destroy(new Error(`timed out after ${opts.timeout} ms`)));
      r.on('error', (e) =>
        reject(
          new AutofixError(
            ErrorCode.ClusterUnreachable,
            `Cannot reach the Kubernetes API at ${server.origin}: ${e.message}.`,
            {
              hint: 'Check KUBECONFIG and that the cluster is up.',
              cause: e,
            },
          ),
        ),
      );
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
  }

  return { send, calls: () => count, user, server: server.origin };
}
