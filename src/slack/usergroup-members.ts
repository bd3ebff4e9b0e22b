// Members of a Slack user group (usergroups.users.list), reused briefly; a failed lookup is not cached.
import type { WebClient } from './slack-poster.js';

export interface GroupMembers {
  /** The group's member user ids; rejects when Slack cannot say. */
  of(group: string): Promise<ReadonlySet<string>>;
}

export interface GroupMembersOptions {
  client: Pick<WebClient, 'usergroups'>;
  /** How long a group's member list is reused (default 60 s). */
  cacheMs?: number;
  now?: () => number;
}

export function createGroupMembers(opts: GroupMembersOptions): GroupMembers {
  const cacheMs = opts.cacheMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; members: Promise<ReadonlySet<string>> }>();

  async function fetchMembers(group: string): Promise<ReadonlySet<string>> {
    const res = await opts.client.usergroups.users.list({ usergroup: group });
    return new Set(res.users ?? []);
  }

  return {
    of(group) {
      const hit = cache.get(group);
      if (hit && now() - hit.at < cacheMs) return hit.members;
      const entry = { at: now(), members: fetchMembers(group) };
      cache.set(group, entry);
      // A failed lookup is not cached: the next click asks Slack again.
      entry.members.catch(() => cache.get(group) === entry && cache.delete(group));
      return entry.members;
    },
  };
}
