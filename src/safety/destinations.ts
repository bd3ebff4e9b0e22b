// Where a value sends traffic: the hosts a URL, a host:port or a host-naming variable points at, and whether they are Services of the namespace.

/** `scheme://[user@]host[:port]`: the authority of any URL inside a text. */
const URL_AUTHORITY = /\b[a-z][a-z0-9+.-]*:\/\/([^/\s?#"'`,;]+)/gi;

/** A whole value that is a host with a port (`db.example.com:5432`, `10.0.0.7:6379`, `[::1]:80`). */
const HOST_PORT = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):\d{1,5}$/i;

const SERVICE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i;

/** The last word of a name that says its value is a host, or a list of hosts (DB_HOST, KAFKA_BROKERS, BOOTSTRAP_SERVERS…). */
const HOST_WORDS = new Set([
  'HOST',
  'HOSTNAME',
  'ADDR',
  'ADDRESS',
  'SERVER',
  'ENDPOINT',
  'URL',
  'URI',
  'DSN',
  'BROKER',
  'UPSTREAM',
  'REMOTE',
  'TARGET',
  'PEER',
  'SEED',
  'NODE',
  'BACKEND',
  'ORIGIN',
  'MIRROR',
  'GATEWAY',
]);

/** DB_HOST, REDIS_ADDRS, KAFKA_BROKERS, smtpServer: the name's last word, singular, is a host word. */
function hostNamed(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((w) => w !== '');
  const last = words.at(-1) ?? '';
  return [last, last.replace(/E?S$/, ''), last.replace(/S$/, '')].some((w) => HOST_WORDS.has(w));
}

function stripHost(authority: string): string {
  const noUser = authority.slice(authority.lastIndexOf('@') + 1);
  const bracket = /^\[([^\]]+)\]/.exec(noUser);
  if (bracket) return bracket[1]!.toLowerCase();
  return noUser.replace(/:\d*$/, '').replace(/\.$/, '').toLowerCase();
}

const looksLikeHost = (s: string): boolean =>
  IPV4.test(s) || s.includes(':') || (HOSTNAME.test(s) && /[a-z]/i.test(s.split('.').pop() ?? ''));

/**
 * Every host `text` points at: URL authorities anywhere, a whole `host:port`, and — when the variable's
 * name says it holds one — a whole value, or a comma-separated list, of hosts.
 */
export function hostsIn(text: string, name = ''): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(URL_AUTHORITY)) out.add(stripHost(m[1]!));
  const whole = text.trim();
  if (HOST_PORT.test(whole)) out.add(stripHost(whole));
  if (hostNamed(name)) {
    for (const part of whole.split(/[\s,;]+/)) {
      if (part === '' || part.includes('/')) continue;
      const host = stripHost(part);
      if (host.includes('.') || host.includes(':') ? looksLikeHost(host) : false) out.add(host);
    }
  }
  return [...out].filter((h) => h !== '');
}

/**
 * A host that names a Service of the workload's own namespace (`db`, `db.shop`, `db.shop.svc`,
 * `db.shop.svc.cluster.local`) or the pod itself; another namespace, an IP or an outside name is elsewhere.
 */
export function inNamespace(host: string, namespace: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost' || h === '127.0.0.1' || h === '::1') return true;
  if (IPV4.test(h) || h.includes(':')) return false;
  const labels = h.split('.');
  // A Service name is a DNS-1035 label; `2130706433` or `0x7f000001` is an address clients accept.
  if (!SERVICE_NAME.test(labels[0]!)) return false;
  if (labels.length === 1) return true;
  return labels[1] === namespace && (labels.length === 2 || labels[2] === 'svc');
}
