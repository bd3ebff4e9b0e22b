// The key layout: shared keys under the prefix, each cluster's under its own hash tag (Redis Cluster keeps one
// cluster's queue in one slot; two clusters never share keys).
import { describe, expect, it } from 'vitest';
import { keyPatterns, keySpace } from '../../../src/queue/key-space.js';

/** Redis Cluster's hash tag: the part between the first `{` and the next `}`, when not empty. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('keySpace', () => {
  const keys = keySpace('autofix');

  it('keeps proposals and registrations shared, so the bot finds any cluster’s proposal by id', () => {
    expect(keys.proposal('p1')).toBe('autofix:proposal:p1');
    expect(keys.workers).toBe('autofix:workers');
  });

  it('gives each cluster one hash tag for its BullMQ prefix, claims and job messages', () => {
    const eu = keys.cluster('prod-eu');
    expect(eu.prefix).toBe('{autofix:prod-eu}');
    const bullKey = `${eu.prefix}:autofix:wait`;
    for (const k of [bullKey, eu.activeInvestigation('deployment/shop/web'), eu.jobMessages('j1')])
      expect(hashTag(k)).toBe('autofix:prod-eu');
    expect(hashTag(keys.cluster('staging').activeInvestigation('deployment/shop/web'))).toBe(
      'autofix:staging',
    );
  });

  it('refuses a cluster name that is not a DNS label (it would break the tag)', () => {
    expect(() => keys.cluster('a}b')).toThrow();
    expect(() => keys.cluster('Prod')).toThrow();
  });

  it('keeps the alert step’s keys, queue and messages in one slot no cluster can share', () => {
    const a = keys.alerts;
    const all = [
      a.incident('i'),
      a.notification('n'),
      a.budget(),
      a.said('s'),
      a.jobMessages('j'),
      `${a.prefix}:x`,
    ];
    for (const k of all) expect(hashTag(k)).toBe('autofix');
    expect(hashTag(keys.cluster('alerts').jobMessages('j'))).not.toBe(hashTag(a.jobMessages('j')));
  });

  it('its reset patterns cover shared, alert and per-cluster keys, not another prefix’s', () => {
    expect(keyPatterns('t1')).toEqual(['t1:*', '{t1}:*', '{t1:*']);
    const glob = (p: string) => new RegExp(`^${p.replace(/[{}]/g, '\\$&').replace('*', '.*')}$`);
    const match = (k: string) => keyPatterns('t1').some((p) => glob(p).test(k));
    expect(match(keySpace('t1').alerts.budget())).toBe(true);
    expect(match(keySpace('t1').cluster('eu').prefix + ':autofix:wait')).toBe(true);
    expect(match(keySpace('t10').alerts.budget())).toBe(false);
  });
});
