// Who a Slack user is in Kubernetes: their entry, else their e-mail; plus their Slack user groups' groups.
import { describe, expect, it } from 'vitest';
import type { IdentityMap } from '../../../src/config/identities.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createAuthority } from '../../../src/slack/authority.js';

const logger = createLogger('silent');
const map: IdentityMap = {
  users: { U0PRIYA: { user: 'priya@example.com', groups: ['sre'] } },
  groups: { S0ONCALL: ['oncall', 'sre'], S0BROKEN: ['never'] },
};

function slack(emails: Record<string, string> = {}) {
  const calls: string[] = [];
  const client = {
    usergroups: {
      users: {
        list: async ({ usergroup }: { usergroup: string }) => {
          calls.push(usergroup);
          if (usergroup === 'S0BROKEN') throw new Error('no_such_subteam');
          return { ok: true, users: usergroup === 'S0ONCALL' ? ['U0PRIYA', 'U0LEE'] : [] };
        },
      },
    },
    users: {
      info: async ({ user }: { user: string }) => {
        if (user === 'U0FAIL') throw new Error('ratelimited');
        return {
          ok: true,
          user: { id: user, deleted: user === 'U0GONE', profile: { email: emails[user] } },
        };
      },
    },
  } as unknown as Parameters<typeof createAuthority>[1];
  return { client, calls };
}

const config = (
  over: Partial<Parameters<typeof createAuthority>[0]['identity']> = {},
  approvers: string[] = [],
) => ({
  slack: { approvers } as unknown as Parameters<typeof createAuthority>[0]['slack'],
  identity: {
    applyAs: 'approver' as const,
    twoPerson: 'flagged' as const,
    identities: map,
    emailLookup: false,
    ...over,
  },
});

describe('createAuthority, approver mode', () => {
  it('an entry gives the user and groups; Slack user groups add theirs; a broken group adds nothing', async () => {
    const { client, calls } = slack();
    const a = createAuthority(config(), client, logger);
    expect(await a.identityOf!('U0PRIYA')).toEqual({ user: 'priya@example.com', groups: ['sre', 'oncall'] });
    expect(calls.sort()).toEqual(['S0BROKEN', 'S0ONCALL']);
    // A group member without an entry of their own has no user name: not mapped.
    expect(await a.identityOf!('U0LEE')).toBeNull();
  });

  it('e-mail lookup names users without an entry; deleted users and Slack failures are not mapped', async () => {
    const { client } = slack({ U0LEE: 'lee@example.com', U0GONE: 'gone@example.com' });
    const a = createAuthority(config({ emailLookup: true }), client, logger);
    expect(await a.identityOf!('U0LEE')).toEqual({ user: 'lee@example.com', groups: ['oncall', 'sre'] });
    expect(await a.identityOf!('U0GONE')).toBeNull();
    expect(await a.identityOf!('U0FAIL')).toBeNull();
    expect(await a.identityOf!('U0NOMAIL')).toBeNull();
  });

  it('the Slack allowlist is an extra gate only when set', async () => {
    const { client } = slack();
    expect(await createAuthority(config(), client, logger).isApprover('U0ANYONE')).toBe(true);
    const gated = createAuthority(config({}, ['U0PRIYA']), client, logger);
    expect(await gated.isApprover('U0PRIYA')).toBe(true);
    expect(await gated.isApprover('U0ANYONE')).toBe(false);
  });

  it('worker mode: the allowlist alone, no identities', async () => {
    const { client } = slack();
    const a = createAuthority(config({ applyAs: 'worker' }, ['U0PRIYA']), client, logger);
    expect(a.identityOf).toBeUndefined();
    expect(await a.isApprover('U0ANYONE')).toBe(false);
  });
});
