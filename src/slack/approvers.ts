// Who may approve, reject and roll back: AUTOFIX_APPROVERS user ids, or members of listed user groups (S…).
import type { Logger } from '../observability/logger.js';
import type { WebClient } from './slack-poster.js';
import { createGroupMembers, type GroupMembers } from './usergroup-members.js';

export interface ApproverList {
  users: ReadonlySet<string>;
  groups: readonly string[];
}

/** Splits AUTOFIX_APPROVERS entries into user ids (U…/W…) and user-group ids (S…); unknown shapes are ignored. */
export function parseApprovers(ids: readonly string[]): ApproverList {
  const users = new Set<string>();
  const groups: string[] = [];
  for (const raw of ids) {
    const id =
      raw
        .trim()
        .replace(/^<[@!]subteam\^|^<@|>$/g, '')
        .split('|')[0] ?? '';
    if (/^S[A-Z0-9]{2,}$/.test(id)) groups.push(id);
    else if (/^[UW][A-Z0-9]{2,}$/.test(id)) users.add(id);
  }
  return { users, groups };
}

export interface ApproverCheck {
  /** True when the user is listed, or a member of a listed group. Unknown membership → false. */
  isApprover(userId: string): Promise<boolean>;
}

export interface ApproverCheckOptions {
  approvers: readonly string[];
  client: Pick<WebClient, 'usergroups'>;
  logger: Logger;
  /** How long a group's member list is reused (default 60 s). */
  cacheMs?: number;
  now?: () => number;
  /** A member cache shared with the identity directory (one lookup per group for both). */
  members?: GroupMembers;
}

export function createApproverCheck(opts: ApproverCheckOptions): ApproverCheck {
  const list = parseApprovers(opts.approvers);
  const members = opts.members ?? createGroupMembers(opts);
  return {
    async isApprover(userId) {
      if (list.users.has(userId)) return true;
      for (const group of list.groups) {
        try {
          if ((await members.of(group)).has(userId)) return true;
        } catch (e) {
          opts.logger.warn(
            { group, err: e instanceof Error ? e.message : String(e) },
            'could not read user group members; not counting them',
          );
        }
      }
      return false;
    },
  };
}
