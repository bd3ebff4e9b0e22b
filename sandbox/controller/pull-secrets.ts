// A pod's registry credentials, read from its imagePullSecrets as the kubelet does (dockerconfigjson and dockercfg).
import type { V1Pod } from '@kubernetes/client-node';
import type { Lookups } from './resolve-env.js';

export interface PullCredentials {
  /** imagePullSecrets the pod names that do not exist (the kubelet warns and pulls anyway). */
  missing: string[];
  /** Registry host → user names offered for it, from every pull secret that exists. */
  users: Map<string, string[]>;
}

/** `https://ghcr.io/v1/` and `ghcr.io` name the same registry. */
function registryHost(key: string): string {
  return key
    .replace(/^[a-z]+:\/\//i, '')
    .split('/')[0]!
    .toLowerCase();
}

function userOf(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { username, auth } = entry as { username?: unknown; auth?: unknown };
  if (typeof username === 'string' && username !== '') return username;
  if (typeof auth !== 'string') return undefined;
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? decoded.slice(0, colon) : undefined;
}

/** `.dockerconfigjson` is `{auths: {host: entry}}`; the legacy `.dockercfg` is `{host: entry}`. */
function entriesOf(data: Record<string, string>): Array<[string, unknown]> {
  const parse = (text: string | undefined): unknown => {
    try {
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    } catch {
      return undefined; // a malformed secret offers no credentials, as for the kubelet's keyring
    }
  };
  const json = parse(data['.dockerconfigjson']);
  const auths = typeof json === 'object' && json !== null ? (json as { auths?: unknown }).auths : undefined;
  const legacy = parse(data['.dockercfg']);
  return [auths, legacy].flatMap((m) =>
    typeof m === 'object' && m !== null ? Object.entries(m as Record<string, unknown>) : [],
  );
}

export function readPullCredentials(pod: V1Pod, lookups: Lookups): PullCredentials {
  const ns = pod.metadata?.namespace ?? 'default';
  const missing: string[] = [];
  const users = new Map<string, string[]>();
  for (const { name } of pod.spec?.imagePullSecrets ?? []) {
    const data = name ? lookups.secret(ns, name) : undefined;
    if (data === undefined) {
      if (name) missing.push(name);
      continue;
    }
    for (const [key, entry] of entriesOf(data)) {
      const user = userOf(entry);
      if (user === undefined) continue;
      const host = registryHost(key);
      users.set(host, [...(users.get(host) ?? []), user]);
    }
  }
  return { missing, users };
}
