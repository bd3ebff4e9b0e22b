// Who may click: listed users, members of listed user groups (cached briefly), nobody else.
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { createApproverCheck, parseApprovers } from '../../../src/slack/approvers.js';

const logger = createLogger('silent');

function groups(members: Record<string, string[]>, fail = new Set<string>()) {
  const calls: string[] = [];
  const client = {
    usergroups: {
      users: {
        list: async ({ usergroup }: { usergroup: string }) => {
          calls.push(usergroup);
          if (fail.has(usergroup)) throw new Error('no_such_subteam');
          return { ok: true, users: members[usergroup] ?? [] };
        },
      },
    },
  } as unknown as Parameters<typeof createApproverCheck>[0]['client'];
  return { client, calls };
}

describe('parseApprovers', () => {
  it('splits user ids and user-group ids, accepting mention syntax and ignoring junk', () => {
    const list = parseApprovers([
      'U123ABC',
      ' W999 ',
      'S0OPS',
      '<!subteam^S0SRE|sre>',
      '<@U777>',
      'alice',
      '',
    ]);
    expect([...list.users].sort()).toEqual(['U123ABC', 'U777', 'W999']);
    expect(list.groups).toEqual(['S0OPS', 'S0SRE']);
  });
});

describe('createApproverCheck', () => {
  it('accepts listed users without asking Slack', async () => {
    const g = groups({});
    const check = createApproverCheck({ approvers: ['U1AA'], client: g.client, logger });
    expect(await check.isApprover('U1AA')).toBe(true);
    expect(g.calls).toEqual([]);
  });

  it('accepts members of listed groups, caching the member list briefly', async () => {
    let now = 0;
    const g = groups({ S0OPS: ['U2BB'] });
    const check = createApproverCheck({
      approvers: ['S0OPS'],
      client: g.client,
      logger,
      cacheMs: 1000,
      now: () => now,
    });
    expect(await check.isApprover('U2BB')).toBe(true);
    expect(await check.isApprover('U3CC')).toBe(false);
    expect(g.calls).toEqual(['S0OPS']);
    now = 1001;
    await check.isApprover('U3CC');
    expect(g.calls).toEqual(['S0OPS', 'S0OPS']);
  });

  it('refuses when membership cannot be read, and asks again next time', async () => {
    const g = groups({}, new Set(['S0BAD']));
    const check = createApproverCheck({ approvers: ['S0BAD'], client: g.client, logger });
    expect(await check.isApprover('U2BB')).toBe(false);
    expect(await check.isApprover('U2BB')).toBe(false);
    expect(g.calls).toEqual(['S0BAD', 'S0BAD']);
  });

  it('refuses everyone when AUTOFIX_APPROVERS is empty', async () => {
    const check = createApproverCheck({ approvers: [], client: groups({}).client, logger });
    expect(await check.isApprover('U1AA')).toBe(false);
  });
});
