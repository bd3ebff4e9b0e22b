// AUTOFIX_IDENTITIES: the file's shape, and every mistake a clear start-up error naming the line.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { loadIdentities, parseIdentities } from '../../../src/config/identities.js';

const FILE = 'identities.yaml';
const refusal = (text: string): string => {
  try {
    parseIdentities(text, FILE);
  } catch (e) {
    return (e as Error & { describe(): string }).describe();
  }
  throw new Error('expected a refusal');
};

describe('parseIdentities', () => {
  it('users with their groups, user groups with groups only', () => {
    const map = parseIdentities(
      [
        '# the SRE rota',
        'U024BE7LH: {user: priya@example.com, groups: [sre]}',
        'W0ENTERPRISE: {user: ana@example.com}',
        'S0614TZR7:',
        '  groups: [oncall, sre]',
      ].join('\n'),
      FILE,
    );
    expect(map).toEqual({
      users: {
        U024BE7LH: { user: 'priya@example.com', groups: ['sre'] },
        W0ENTERPRISE: { user: 'ana@example.com', groups: [] },
      },
      groups: { S0614TZR7: ['oncall', 'sre'] },
    });
    expect(parseIdentities('', FILE)).toEqual({ users: {}, groups: {} });
  });

  it('names the line of a mistake, whatever it is', () => {
    expect(refusal('U1AA: {user: a@x}\nalice: {user: alice@x}\n')).toMatch(
      /^AUTOFIX_IDENTITIES \(identities\.yaml line 2\): alice: "alice" is neither a Slack user id/,
    );
    expect(refusal('U1AA:\n  groups: [sre]\n')).toMatch(/line 2\): U1AA\.user: a Slack user needs `user:`/);
    expect(refusal('S0OPS: {user: ops@x, groups: [sre]}\n')).toMatch(
      /line 1\): S0OPS: unknown key user: a Slack user group maps to groups only/,
    );
    expect(refusal('U1AA: {user: a@x, groups: sre}\n')).toMatch(/line 1\): U1AA\.groups: groups is a list/);
    // In a block mapping, an unknown or misspelt key is named by its own line, not its parent's.
    expect(refusal('U1AA: {user: a@x}\nS0OPS:\n  groups: [sre]\n  user: ops@x\n')).toMatch(
      /line 4\): S0OPS: unknown key user/,
    );
    expect(refusal('U1AA:\n  user: a@x\n  group: [sre]\n')).toMatch(/line 3\): U1AA: unknown key group/);
    expect(refusal('U1AA:\n')).toMatch(/line 1\): U1AA/);
    expect(refusal('U1AA: {user: "a,b@x"}\n')).toMatch(/printable ASCII, without commas/);
    expect(refusal('U1AA: {user: a@x}\nU1AA: {user: b@x}\n')).toMatch(
      /line 2\): not valid YAML: Map keys must be unique/,
    );
    expect(refusal('U1AA: [unclosed\n')).toMatch(
      /^AUTOFIX_IDENTITIES \(identities\.yaml line 2\): not valid YAML/,
    );
  });

  it('refuses system:masters and every system: name, at start', () => {
    const masters = refusal('U1AA: {user: a@x}\n\nS0ADMINS:\n  groups: [ops, system:masters]\n');
    expect(masters).toMatch(/line 4\): S0ADMINS\.groups\.1: group system:masters is never impersonated/);
    expect(masters).toContain('bypasses RBAC entirely');
    expect(refusal('U1AA: {user: "system:kube-controller-manager"}')).toMatch(
      /user system:kube-controller-manager is never impersonated: .*reserved for Kubernetes itself/,
    );
    expect(refusal('U1AA: {user: a@x, groups: ["kubeadm:cluster-admins"]}')).toMatch(/cluster-admin/);
    expect(refusal('U1AA: {user: a@x, groups: ["system:nodes"]}')).toMatch(/system:nodes/);
  });
});

describe('loadIdentities and the variables around it', () => {
  const file = (text: string): string => {
    const p = join(tmpdir(), `ids-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(p, text);
    return p;
  };

  it('an unreadable file is a clear error naming it', () => {
    expect(() => loadIdentities('/nonexistent/ids.yaml')).toThrow(
      /AUTOFIX_IDENTITIES \(\/nonexistent\/ids\.yaml\): cannot be read \(ENOENT\)/,
    );
  });

  it('AUTOFIX_APPLY_AS=approver needs the file; the two-person rule defaults per mode', () => {
    const env = { AUTOFIX_NAMESPACES: 'shop' };
    expect(loadConfig(env).identity).toEqual({
      applyAs: 'worker',
      twoPerson: 'off',
      identities: null,
      emailLookup: false,
    });
    expect(() => loadConfig({ ...env, AUTOFIX_APPLY_AS: 'approver' })).toThrow(
      /AUTOFIX_IDENTITIES is invalid/,
    );
    expect(() => loadConfig({ ...env, AUTOFIX_APPLY_AS: 'human' })).toThrow(
      /AUTOFIX_APPLY_AS is invalid: expected worker \| approver, got "human"/,
    );
    expect(() => loadConfig({ ...env, AUTOFIX_TWO_PERSON: 'some' })).toThrow(/AUTOFIX_TWO_PERSON is invalid/);
    const path = file('U1AA: {user: a@x, groups: [sre]}\n');
    const approver = loadConfig({ ...env, AUTOFIX_APPLY_AS: 'approver', AUTOFIX_IDENTITIES: path });
    expect(approver.identity).toMatchObject({
      applyAs: 'approver',
      twoPerson: 'flagged',
      identities: { users: { U1AA: { user: 'a@x', groups: ['sre'] } } },
    });
    expect(
      loadConfig({
        ...env,
        AUTOFIX_APPLY_AS: 'approver',
        AUTOFIX_IDENTITIES: path,
        AUTOFIX_TWO_PERSON: 'all',
      }).identity.twoPerson,
    ).toBe('all');
    expect(() =>
      loadConfig({ ...env, AUTOFIX_IDENTITIES: file('S0X: {groups: [system:masters]}\n') }),
    ).toThrow(/line 1\).*system:masters/);
  });
});
