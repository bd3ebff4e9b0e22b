// The bot's view of the clusters: worker registrations read from Redis (cached for a moment, so the ack path
// stays one map lookup), grouped by cluster with their health, allowlist and last sighting.
import type { KeySpace } from '../queue/key-space.js';
import type { RedisConnection } from '../queue/redis-connection.js';
import { readRegistrations, type SeenWorker } from '../queue/worker-registry.js';
import { within } from '../queue/within.js';
import type { ClusterListView } from '../slack/blocks/clusters-message.js';

export interface ClusterView {
  name: string;
  /** Workers renewing their registration now. */
  live: SeenWorker[];
  /** Every registration still remembered (live, stopped, silent), newest heartbeat first. */
  all: SeenWorker[];
  /** Milliseconds since the newest heartbeat of any of its workers. */
  lastSeenMs: number;
  /**
   * The namespaces a command may name: those every live worker allows (a job may land on any of them),
   * or, with none live, those the last one seen allowed. Narrowed by the bot's own AUTOFIX_NAMESPACES if set.
   */
  namespaces: string[];
}

export interface Directory {
  /** Redis's clock when read: heartbeat ages are measured against it. */
  now: number;
  /** By name, in name order. */
  clusters: ReadonlyMap<string, ClusterView>;
}

export interface ClusterDirectory {
  /**
   * The registrations, at most `ttlMs` old, or read now with `fresh` (a click that acts: a worker that
   * stopped a moment ago must not be handed work); throws when Redis does not answer (the caller says so).
   */
  snapshot(opts?: { fresh?: boolean }): Promise<Directory>;
}

function intersect(lists: readonly (readonly string[])[]): string[] {
  const [first, ...rest] = lists;
  return (first ?? []).filter((n) => rest.every((l) => l.includes(n)));
}

/** Groups registrations by cluster; `botNamespaces` (the bot's AUTOFIX_NAMESPACES, may be empty) narrows every allowlist. */
export function directoryOf(
  now: number,
  workers: readonly SeenWorker[],
  botNamespaces: readonly string[],
): Directory {
  const byName = new Map<string, SeenWorker[]>();
  for (const w of workers) {
    const list = byName.get(w.registration.cluster) ?? [];
    list.push(w);
    byName.set(w.registration.cluster, list);
  }
  const clusters = new Map<string, ClusterView>();
  for (const name of [...byName.keys()].sort()) {
    const all = byName.get(name)!.sort((a, b) => b.heartbeatAt - a.heartbeatAt);
    const live = all.filter((w) => w.live);
    const source = live.length > 0 ? live : all.slice(0, 1);
    const allowed = intersect(source.map((w) => w.registration.namespaces));
    clusters.set(name, {
      name,
      live,
      all,
      lastSeenMs: Math.max(0, now - all[0]!.heartbeatAt),
      namespaces: botNamespaces.length > 0 ? allowed.filter((n) => botNamespaces.includes(n)) : allowed,
    });
  }
  return { now, clusters };
}

export interface DirectoryOptions {
  redis: RedisConnection;
  keys: Pick<KeySpace, 'workers'>;
  /** The bot's own AUTOFIX_NAMESPACES (empty: each cluster's workers decide alone). */
  botNamespaces: readonly string[];
  /** How long a read is reused (default 1.5 s): a worker that just went away is noticed within it. */
  ttlMs?: number;
  /** A read slower than this fails (default 1 s), so a command is still answered within Slack's 3 s. */
  timeoutMs?: number;
  now?: () => number;
}

export function createClusterDirectory(opts: DirectoryOptions): ClusterDirectory {
  const ttl = opts.ttlMs ?? 1500;
  const now = opts.now ?? Date.now;
  let cached: { at: number; dir: Directory } | null = null;
  let reading: Promise<Directory> | null = null;
  const read = async (): Promise<Directory> => {
    const startedAt = now();
    const regs = await within(opts.timeoutMs ?? 1000, readRegistrations(opts.redis, opts.keys));
    const dir = directoryOf(regs.now, regs.workers, opts.botNamespaces);
    // A read that began before a newer one (a click's fresh read) does not put older facts back.
    if (!cached || cached.at <= startedAt) cached = { at: startedAt, dir };
    return dir;
  };
  return {
    snapshot({ fresh = false } = {}) {
      if (!fresh && cached && now() - cached.at < ttl) return Promise.resolve(cached.dir);
      // A fresh read does not join one already in flight: it may have started before the worker stopped.
      if (fresh) return read();
      // One read in flight, however many commands arrive together.
      reading ??= read().finally(() => (reading = null));
      return reading;
    },
  };
}

/** The directory as `/autofix clusters` shows it. */
export function clusterList(dir: Directory, channelCluster: string | undefined): ClusterListView[] {
  return [...dir.clusters.values()].map((c) => ({
    name: c.name,
    namespaces: c.namespaces,
    lastSeenMs: c.lastSeenMs,
    channelDefault: c.name === channelCluster,
    workers: c.all.map((w) => ({
      workerId: w.registration.workerId,
      version: w.registration.version,
      engine: w.registration.engine,
      concurrency: w.registration.concurrency,
      live: w.live,
      stopped: w.registration.state === 'stopped',
      ageMs: Math.max(0, dir.now - w.heartbeatAt),
    })),
  }));
}
