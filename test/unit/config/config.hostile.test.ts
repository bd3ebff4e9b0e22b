// Configuration that would silently disable a guard is refused at start, with an error naming the variable.
import { describe, expect, it } from 'vitest';
import { configWarnings, loadConfig } from '../../../src/config/config.js';
import { AutofixError } from '../../../src/domain/index.js';

const base = { AUTOFIX_NAMESPACES: 'shop,payments' };

function errorOf(env: Record<string, string>): AutofixError {
  try {
    loadConfig({ ...base, ...env });
  } catch (e) {
    if (e instanceof AutofixError) return e;
    throw e;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('config refuses what would silently disable a guard', () => {
  it.each([
    ['AUTOFIX_APPROVERS', 'alice', /not names like "alice"/],
    ['AUTOFIX_APPROVERS', 'U024BE7LH,bob@example.com', /bob@example.com/],
    ['AUTOFIX_APPROVERS', 'u024be7lh', /u024be7lh/],
    ['AUTOFIX_ALLOWED_REGISTRIES', '*', /no wildcards/],
    ['AUTOFIX_ALLOWED_REGISTRIES', 'ghcr.io,*.example.com', /no wildcards/],
    ['AUTOFIX_ALLOWED_REGISTRIES', 'https://ghcr.io', /no scheme/],
    ['AUTOFIX_ALLOWED_REGISTRIES', 'ghcr.io/Acme', /registry hosts/],
    ['AUTOFIX_CHANNEL_NAMESPACES', 'c0shop=shop', /upper case/],
    ['AUTOFIX_CHANNEL_NAMESPACES', 'general=shop', /upper case/],
    ['AUTOFIX_CHANNEL_NAMESPACES', 'C0SHOP=kube-system', /AUTOFIX_NAMESPACES; "kube-system"/],
    ['AUTOFIX_CHANNEL_NAMESPACES', 'C0SHOP=shop,C0SHOP=payments', /mapped twice/],
    ['AUTOFIX_CHANNEL_NAMESPACES', '__proto__=shop', /upper case/],
    ['AUTOFIX_MAX_MEMORY', '1e400', /memory quantity/],
    ['AUTOFIX_MAX_CPU', '1e400', /CPU quantity/],
    ['AUTOFIX_MAX_REPLICAS', '0x10', /decimal integer/],
    ['AUTOFIX_MAX_REPLICAS', '1e3', /decimal integer/],
    ['AUTOFIX_MAX_REPLICAS', '0b11', /decimal integer/],
    ['AUTOFIX_MAX_REPLICAS', ' 5', /decimal integer/],
    ['AUTOFIX_MAX_REPLICAS', '5.0', /decimal integer/],
    ['AUTOFIX_MAX_REPLICAS', '-3', /decimal integer/],
    ['AUTOFIX_MAX_ITERATIONS', '0o7', /decimal integer/],
    ['PORT', '0x50', /decimal integer/],
    ['AUTOFIX_LOG_PROMPTS', 'maybe', /true or false/],
    ['AUTOFIX_LOG_PROMPTS', '2', /true or false/],
  ])('%s=%j', (name, value, why) => {
    const e = errorOf({ [name]: value });
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(`${name} is invalid`);
    expect(e.message).toMatch(why);
  });

  it.each([
    ['TRUE', true],
    ['on', true],
    ['Yes', true],
    ['1', true],
    ['OFF', false],
    ['false', false],
    ['', false],
  ])('reads AUTOFIX_LOG_PROMPTS=%j as %s', (value, want) => {
    expect(loadConfig({ ...base, AUTOFIX_LOG_PROMPTS: value }).logPrompts).toBe(want);
  });

  it('accepts the valid forms', () => {
    const c = loadConfig({
      ...base,
      AUTOFIX_APPROVERS: 'U024BE7LH,W0123ABC,S0614TZR7,<@U999>,<!subteam^S0614TZR7|oncall>',
      AUTOFIX_ALLOWED_REGISTRIES: 'ghcr.io/acme,localhost:5000,registry.k8s.io/',
      AUTOFIX_CHANNEL_NAMESPACES: 'C0SHOP=shop,G0PAY=payments',
      AUTOFIX_MAX_REPLICAS: '16',
    });
    expect(c.policy.maxReplicas).toBe(16);
    expect(c.policy.allowedRegistries).toEqual(['ghcr.io/acme', 'localhost:5000', 'registry.k8s.io/']);
    expect(c.slack.channelNamespaces).toEqual({ C0SHOP: 'shop', G0PAY: 'payments' });
  });

  it('warns at start when no registry allowlist is set, and not otherwise', () => {
    expect(configWarnings(loadConfig(base))).toEqual([
      expect.stringContaining('AUTOFIX_ALLOWED_REGISTRIES is not set'),
    ]);
    expect(configWarnings(loadConfig({ ...base, AUTOFIX_ALLOWED_REGISTRIES: 'ghcr.io' }))).toEqual([]);
  });
});
