// The Alertmanager receiver's variables: off without a token, routes with a default, each bad value named.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { AutofixError } from '../../../src/domain/index.js';

const TOKEN = '0123456789abcdef0123';
const base = {
  AUTOFIX_NAMESPACES: 'shop,pay',
  AUTOFIX_ALERTS_TOKEN: TOKEN,
  AUTOFIX_ALERT_ROUTES: 'shop=C0SHOP,*=C0OPS',
};

function errorOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof AutofixError) return e.message;
    throw e;
  }
  throw new Error('expected a configuration error');
}

describe('alerts configuration', () => {
  it('is off (no route) without AUTOFIX_ALERTS_TOKEN, whatever else is set', () => {
    expect(loadConfig({ AUTOFIX_ALERT_ROUTES: 'nonsense' }).alerts).toBeNull();
  });

  it('reads the token, routes, cooldown (default 30m) and storm bound (default 10)', () => {
    expect(loadConfig(base).alerts).toEqual({
      token: TOKEN,
      routes: { shop: 'C0SHOP', '*': 'C0OPS' },
      cooldownSeconds: 1800,
      maxPerMinute: 10,
    });
    const c = loadConfig({ ...base, AUTOFIX_ALERT_COOLDOWN: '2h', AUTOFIX_ALERT_MAX_PER_MINUTE: '50' });
    expect(c.alerts).toMatchObject({ cooldownSeconds: 7200, maxPerMinute: 50 });
  });

  it.each([
    [{ AUTOFIX_ALERTS_TOKEN: 'short' }, 'AUTOFIX_ALERTS_TOKEN is invalid: expected at least 16 characters'],
    [{ AUTOFIX_ALERTS_TOKEN: 'has a space in it, sixteen+' }, 'AUTOFIX_ALERTS_TOKEN is invalid'],
    [{ AUTOFIX_ALERT_ROUTES: '' }, 'a default route *=CHANNEL'],
    [{ AUTOFIX_ALERT_ROUTES: 'shop=C0SHOP' }, 'a default route *=CHANNEL'],
    [{ AUTOFIX_ALERT_ROUTES: 'shop=#ops,*=C0OPS' }, 'Slack channel ids in upper case'],
    [{ AUTOFIX_ALERT_ROUTES: 'shop=c0shop,*=C0OPS' }, 'Slack channel ids in upper case'],
    [
      { AUTOFIX_ALERT_ROUTES: 'kube-system=C0K,*=C0OPS' },
      'namespaces listed in AUTOFIX_NAMESPACES (or *); "kube-system" is not',
    ],
    [{ AUTOFIX_ALERT_ROUTES: 'shop=C1,shop=C2,*=C0OPS' }, 'each namespace once; shop is routed twice'],
    [{ AUTOFIX_ALERT_ROUTES: 'C0SHOP=shop,*=C0OPS' }, 'namespace=CHANNEL pairs'],
    [{ AUTOFIX_ALERT_ROUTES: 'shop=C1=C2,*=C0OPS' }, 'namespace=CHANNEL pairs'],
    [{ AUTOFIX_ALERT_COOLDOWN: 'soon' }, 'AUTOFIX_ALERT_COOLDOWN is invalid'],
    [{ AUTOFIX_ALERT_COOLDOWN: '0' }, 'AUTOFIX_ALERT_COOLDOWN is invalid'],
    [{ AUTOFIX_ALERT_MAX_PER_MINUTE: '0' }, 'AUTOFIX_ALERT_MAX_PER_MINUTE is invalid'],
    [{ AUTOFIX_ALERT_MAX_PER_MINUTE: '1e3' }, 'AUTOFIX_ALERT_MAX_PER_MINUTE is invalid'],
  ])('refuses %o with an error naming the variable', (over, message) => {
    expect(errorOf({ ...base, ...over })).toContain(message);
  });

  it('never shows the token in its error', () => {
    const token = 'secret value with spaces';
    expect(errorOf({ ...base, AUTOFIX_ALERTS_TOKEN: token })).not.toContain('secret');
  });
});
