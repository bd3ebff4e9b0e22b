// Deletes every Redis key of an installation's prefix (shared keys and every cluster's queue, claims and
// messages): tests and the demo reset with it. On Redis Cluster each master is scanned.
import { Cluster, type Redis } from 'ioredis';
import { keyPatterns } from '../../src/queue/key-space.js';

async function deleteOn(node: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    // One DEL per key: on Redis Cluster keys of one call must share a slot.
    for (const key of keys) await node.del(key);
    cursor = next;
  } while (cursor !== '0');
}

export async function deletePrefix(redis: Redis | Cluster, prefix: string): Promise<void> {
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  for (const node of nodes) for (const pattern of keyPatterns(prefix)) await deleteOn(node, pattern);
}
