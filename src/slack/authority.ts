// The Authority the bot and the worker decide with: the Slack allowlist, and who a Slack user is in Kubernetes.
import type { Config } from '../config/config.js';
import type { IdentityMap } from '../config/identities.js';
import { privilegedIdentityReason, type KubeIdentity } from '../domain/index.js';
import type { Logger } from '../observability/logger.js';
import type { Authority } from '../workflow/decision-checks.js';
import { createApproverCheck } from './approvers.js';
import type { WebClient } from './slack-poster.js';
import { createGroupMembers, type GroupMembers } from './usergroup-members.js';

export interface IdentityDirectoryOptions {
  map: IdentityMap;
  /** Name users without an entry by their Slack e-mail (users.info, scopes users:read and users:read.email). */
  emailLookup: boolean;
  client: Pick<WebClient, 'users'>;
  members: GroupMembers;
  logger: Logger;
}

/**
 * Slack user → Kubernetes identity: their own entry (user and groups), else their Slack e-mail when
 * AUTOFIX_IDENTITY_EMAIL is on; plus the groups of every mapped Slack user group they are in. A user
 * with no name from either is not mapped (null). Slack failures count as "not a member", never as access.
 */
export function createIdentityDirectory(
  opts: IdentityDirectoryOptions,
): (userId: string) => Promise<KubeIdentity | null> {
  async function email(userId: string): Promise<string | null> {
    try {
      const res = await opts.client.users.info({ user: userId });
      const address = res.user?.profile?.email ?? null;
      if (!address || res.user?.deleted || res.user?.is_bot) return null;
      return privilegedIdentityReason('user', address) ? null : address;
    } catch (e) {
      opts.logger.warn(
        { user: userId, err: e instanceof Error ? e.message : String(e) },
        'users.info failed',
      );
      return null;
    }
  }

  async function groupsFromSlackGroups(userId: string): Promise<string[]> {
    const out: string[] = [];
    for (const [group, kubeGroups] of Object.entries(opts.map.groups)) {
      try {
        if ((await opts.members.of(group)).has(userId)) out.push(...kubeGroups);
      } catch (e) {
        opts.logger.warn(
          { group, err: e instanceof Error ? e.message : String(e) },
          'could not read user group members; not granting its groups',
        );
      }
    }
    return out;
  }

  return async (userId) => {
    const own = Object.hasOwn(opts.map.users, userId) ? opts.map.users[userId]! : null;
    const user = own?.user ?? (opts.emailLookup ? await email(userId) : null);
    if (!user) return null;
    const groups = [...new Set([...(own?.groups ?? []), ...(await groupsFromSlackGroups(userId))])];
    return { user, groups };
  };
}

/**
 * Worker mode: the AUTOFIX_APPROVERS allowlist decides. Approver mode: the cluster's RBAC decides (in
 * the worker); the allowlist, when set, is an extra gate, and identityOf says who the user is.
 */
export function createAuthority(
  config: Pick<Config, 'slack' | 'identity'>,
  client: Pick<WebClient, 'usergroups' | 'users'>,
  logger: Logger,
): Authority {
  const members = createGroupMembers({ client });
  const approvers = createApproverCheck({ approvers: config.slack.approvers, client, logger, members });
  const { identity } = config;
  if (identity.applyAs !== 'approver') return approvers;
  const identityOf = createIdentityDirectory({
    map: identity.identities ?? { users: {}, groups: {} },
    emailLookup: identity.emailLookup,
    client,
    members,
    logger,
  });
  const gated = config.slack.approvers.length > 0;
  return {
    isApprover: (userId) => (gated ? approvers.isApprover(userId) : Promise.resolve(true)),
    identityOf,
  };
}
