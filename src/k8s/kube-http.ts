// Minimal Kubernetes REST transport over the kubeconfig's credentials; counts every call it makes.
import type { RequestOptions } from 'node:https';
import { delimiter } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { Agent, request } from 'undici';
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
  /** The same transport (pool, credentials, call count), with these headers on every request (impersonation). */
  withHeaders(headers: Record<string, string | string[]>): KubeHttp;
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

/** Per call: no answer (connect, headers or a body gap) for this long fails it. */
const DEFAULT_TIMEOUT_MS = 15_000;
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function parseBody(text: string, contentType: string | string[] | undefined): unknown {
  if (!String(contentType ?? '').includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const fingerprint = (opts: RequestOptions): string =>
  [opts.ca, opts.cert, opts.key, opts.servername, opts.rejectUnauthorized]
    .map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : String(v)))
    .join('|');

/** One keep-alive pool per TLS identity; a new one only when the kubeconfig's material changes. */
function createTlsPool(): (opts: RequestOptions) => Agent {
  let current: { key: string; agent: Agent } | null = null;
  return (opts) => {
    const key = fingerprint(opts);
    if (current?.key === key) return current.agent;
    void current?.agent.close();
    const agent = new Agent({
      keepAliveTimeout: 10_000,
      connect: {
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        servername: opts.servername,
        timeout: DEFAULT_TIMEOUT_MS,
        ...(opts.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: opts.rejectUnauthorized }),
      },
    });
    current = { key, agent };
    return agent;
  };
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
  if (server.protocol === 'http:' && !cluster.skipTLSVerify) {
    // The client refuses this on every call with a bare error; say it once, with what to change.
    throw new AutofixError(
      ErrorCode.ConfigInvalid,
      `The kubeconfig's cluster ${cluster.name} is plain HTTP (${server.origin}), which the Kubernetes client allows only with insecure-skip-tls-verify: true.`,
      {
        hint: "Use the cluster's https:// address, or set insecure-skip-tls-verify: true for a local test cluster.",
      },
    );
  }
  let count = 0;
  const user = kc.getCurrentUser()?.name ?? 'unknown';

  const pool = createTlsPool();

  function unreachable(e: Error, timeoutMs: number): AutofixError {
    const code = (e as Error & { code?: string }).code ?? '';
    const why = TIMEOUT_CODES.has(code) ? `timed out after ${timeoutMs} ms` : e.message;
    return new AutofixError(
      ErrorCode.ClusterUnreachable,
      `Cannot reach the Kubernetes API at ${server.origin}: ${why}.`,
      { hint: 'Check KUBECONFIG and that the cluster is up.', cause: e },
    );
  }

  async function send(
    req: KubeRequest,
    extra: Record<string, string | string[]> = {},
  ): Promise<KubeResponse> {
    count += 1;
    // The kubeconfig decides TLS material and auth headers per call (exec plugins refresh tokens).
    const opts: RequestOptions = { headers: { accept: 'application/json' } };
    await kc.applyToHTTPSOptions(opts);
    const headers: Record<string, string | string[]> = {
      ...(opts.headers as Record<string, string>),
      ...extra,
    };
    if (typeof opts.auth === 'string') {
      headers.authorization = `Basic ${Buffer.from(opts.auth, 'utf8').toString('base64')}`;
    }
    if (req.body !== undefined) headers['content-type'] = req.contentType ?? 'application/json';
    const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const path = server.pathname.replace(/\/$/, '') + buildPath(req.path, req.query);
    try {
      const res = await request(new URL(path, server.origin), {
        method: req.method,
        headers,
        body: req.body,
        dispatcher: pool(opts),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: parseBody(text, res.headers['content-type']), text };
    } catch (e) {
      throw unreachable(e instanceof Error ? e : new Error(String(e)), timeoutMs);
    }
  }

  const transport = (extra: Record<string, string | string[]>): KubeHttp => ({
    send: (req) => send(req, extra),
    withHeaders: (more) => transport({ ...extra, ...more }),
    calls: () => count,
    user,
    server: server.origin,
  });
  return transport({});
}
