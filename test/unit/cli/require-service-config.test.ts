// `bot`, `worker` and `start` name the missing variable before starting anything.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { requireServiceConfig } from '../../../src/cli/require-service-config.js';

const full = {
  SLACK_BOT_TOKEN: 'xoxb-1',
  SLACK_SIGNING_SECRET: 's',
  AUTOFIX_NAMESPACES: 'shop',
  AUTOFIX_APPROVERS: 'U1',
};
const check = (kind: 'bot' | 'worker' | 'start', env: Record<string, string>) => () =>
  requireServiceConfig(kind, loadConfig(env));

describe('requireServiceConfig', () => {
  it('accepts a complete environment', () => {
    expect(check('start', full)).not.toThrow();
  });

  it.each([
    ['bot', 'SLACK_SIGNING_SECRET'],
    ['bot', 'SLACK_BOT_TOKEN'],
    ['bot', 'AUTOFIX_APPROVERS'],
    ['worker', 'SLACK_BOT_TOKEN'],
    ['worker', 'AUTOFIX_NAMESPACES'],
    ['start', 'SLACK_SIGNING_SECRET'],
  ] as const)('%s without %s says so', (kind, variable) => {
    const env: Record<string, string> = { ...full };
    delete env[variable];
    expect(check(kind, env)).toThrow(new RegExp(`^${variable} is required for \`kube-autofix ${kind}\``));
  });

  it('the worker needs no signing secret and no approvers; Socket Mode needs no signing secret', () => {
    expect(check('worker', { SLACK_BOT_TOKEN: 'x', AUTOFIX_NAMESPACES: 'shop' })).not.toThrow();
    expect(
      check('bot', {
        SLACK_BOT_TOKEN: 'x',
        SLACK_APP_TOKEN: 'xapp-1',
        AUTOFIX_NAMESPACES: 'shop',
        AUTOFIX_APPROVERS: 'U1',
      }),
    ).not.toThrow();
  });

  it('errors carry the CONFIG_INVALID code', () => {
    try {
      check('bot', {})();
    } catch (e) {
      expect((e as { code: string }).code).toBe('CONFIG_INVALID');
    }
  });
});
