// Hands out pod IPs per node like a host-local CNI: the node's podCIDR, else 10.244.<n>.0/24 by node name order.
import type { V1Node } from '@kubernetes/client-node';

export interface IpAllocator {
  allocate(node: V1Node): string;
  markUsed(node: V1Node, ip: string): void;
  release(nodeName: string, ip: string): void;
}

/** `nodeNames` lists every node the allocator may see; indexes are assigned in sorted order, once. */
export function createIpAllocator(nodeNames: () => string[]): IpAllocator {
  const index = new Map<string, number>();
  const used = new Map<string, Set<string>>();
  const cursor = new Map<string, number>();

  const prefixOf = (node: V1Node): string => {
    const cidr = node.spec?.podCIDR;
    const m = cidr === undefined ? null : /^(\d+\.\d+\.\d+)\.\d+\/24$/.exec(cidr);
    if (m) return m[1]!;
    const name = node.metadata?.name ?? '';
    if (!index.has(name)) {
      const taken = new Set(index.values());
      const sorted = [...new Set([...nodeNames(), name])].sort();
      let n = sorted.indexOf(name) + 1;
      while (taken.has(n)) n++;
      index.set(name, n);
    }
    return `10.244.${index.get(name)}`;
  };
  const usedOn = (name: string) => {
    const set = used.get(name) ?? new Set<string>();
    used.set(name, set);
    return set;
  };

  return {
    allocate(node) {
      const name = node.metadata?.name ?? '';
      const prefix = prefixOf(node);
      const set = usedOn(name);
      const last = cursor.get(name) ?? 1;
      for (let i = 1; i <= 253; i++) {
        const host = ((last - 2 + i) % 253) + 2; // .2 … .254 round robin; .1 is the node's gateway
        const ip = `${prefix}.${host}`;
        if (!set.has(ip)) {
          set.add(ip);
          cursor.set(name, host);
          return ip;
        }
      }
      throw new Error(`no free pod IP left on node ${name}`);
    },
    markUsed(node, ip) {
      usedOn(node.metadata?.name ?? '').add(ip);
    },
    release(nodeName, ip) {
      used.get(nodeName)?.delete(ip);
    },
  };
}
