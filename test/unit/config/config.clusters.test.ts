// The cluster a worker serves, channel defaults, heartbeats and Redis deployments: defaults, and each bad value named.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';
import { AutofixError } from '../../../src/domain/index.js';

function errorOf(env: Record<string, string>): AutofixError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof AutofixError) return e;
    throw e;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('clusters', () => {
  it('defaults: cluster `default`, no channel defaults, a 10 s heartbeat, one standalone Redis', () => {
    const c = loadConfig({});
    expect(c.cluster).toBe('default');
    expect(c.slack.channelClusters).toEqual({});
    expect(c.queue.heartbeatMs).toBe(10_000);
    expect(c.redis).toEqual({
      mode: 'standalone',
      urls: ['redis://127.0.0.1:6379'],
      sentinelMaster: null,
      username: null,
      password: null,
      tlsCaFile: null,
    });
  });

  it('reads AUTOFIX_CLUSTER, AUTOFIX_CHANNEL_CLUSTERS and AUTOFIX_WORKER_HEARTBEAT', () => {
    const c = loadConfig({
      AUTOFIX_CLUSTER: 'prod-eu',
      AUTOFIX_CHANNEL_CLUSTERS: 'C0EU=prod-eu, G0STAGE=staging',
      AUTOFIX_WORKER_HEARTBEAT: '500ms',
    });
    expect(c.cluster).toBe('prod-eu');
    expect(c.slack.channelClusters).toEqual({ C0EU: 'prod-eu', G0STAGE: 'staging' });
    expect(c.queue.heartbeatMs).toBe(500);
    expect(loadConfig({ AUTOFIX_WORKER_HEARTBEAT: '1m' }).queue.heartbeatMs).toBe(60_000);
  });

  it('a bot without AUTOFIX_NAMESPACES takes any channel namespace (each cluster’s workers decide)', () => {
    expect(loadConfig({ AUTOFIX_CHANNEL_NAMESPACES: 'C0EU=shop' }).slack.channelNamespaces).toEqual({
      C0EU: 'shop',
    });
  });

  it.each([
    ['AUTOFIX_CLUSTER', 'Prod-EU', /a DNS label/],
    ['AUTOFIX_CLUSTER', 'prod_eu', /a DNS label/],
    ['AUTOFIX_CLUSTER', 'prod.eu', /a DNS label/],
    ['AUTOFIX_CLUSTER', '-prod', /a DNS label/],
    ['AUTOFIX_CLUSTER', 'a'.repeat(64), /a DNS label/],
    ['AUTOFIX_CLUSTER', '{autofix}', /a DNS label/],
    ['AUTOFIX_CHANNEL_CLUSTERS', 'C0EU', /CHANNEL=cluster pairs/],
    ['AUTOFIX_CHANNEL_CLUSTERS', 'C0EU=Prod', /CHANNEL=cluster pairs/],
    ['AUTOFIX_CHANNEL_CLUSTERS', 'eu=prod-eu', /upper case/],
    ['AUTOFIX_CHANNEL_CLUSTERS', 'C0EU=prod-eu,C0EU=staging', /mapped twice/],
    ['AUTOFIX_WORKER_HEARTBEAT', '50ms', /from 100ms to 5m/],
    ['AUTOFIX_WORKER_HEARTBEAT', '10m', /from 100ms to 5m/],
    ['AUTOFIX_WORKER_HEARTBEAT', 'often', /from 100ms to 5m/],
  ])('%s=%j is refused', (name, value, why) => {
    const e = errorOf({ [name]: value });
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(`${name} is invalid`);
    expect(e.message).toMatch(why);
  });
});

describe('Redis deployments', () => {
  it('cluster mode takes the seed nodes, their credentials and TLS from the URLs', () => {
    const c = loadConfig({
      REDIS_MODE: 'cluster',
      REDIS_URL: 'rediss://:pw@10.0.0.1:6379,rediss://:pw@10.0.0.2:6379',
      REDIS_TLS_CA_FILE: '/etc/redis/ca.pem',
    });
    expect(c.redis).toMatchObject({
      mode: 'cluster',
      urls: ['rediss://:pw@10.0.0.1:6379', 'rediss://:pw@10.0.0.2:6379'],
      tlsCaFile: '/etc/redis/ca.pem',
    });
  });

  it('sentinel mode takes the sentinels, the master name and the master’s password', () => {
    const c = loadConfig({
      REDIS_MODE: 'sentinel',
      REDIS_URL: 'redis://s1:26379,redis://s2:26379',
      REDIS_SENTINEL_MASTER: 'autofix',
      REDIS_PASSWORD: 'master-secret',
    });
    expect(c.redis).toMatchObject({ mode: 'sentinel', sentinelMaster: 'autofix', password: 'master-secret' });
  });

  it.each([
    [{ REDIS_MODE: 'replicated' }, 'REDIS_MODE', /standalone \| cluster \| sentinel/],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL', /redis:\/\/host:port/],
    [{ REDIS_URL: 'http://redis:6379' }, 'REDIS_URL', /redis:\/\/host:port/],
    [{ REDIS_URL: 'redis://a:6379,redis://b:6379' }, 'REDIS_URL', /REDIS_MODE=cluster/],
    [{ REDIS_MODE: 'cluster', REDIS_URL: 'redis://a:6379,rediss://b:6379' }, 'REDIS_URL', /one scheme/],
    [
      { REDIS_MODE: 'sentinel', REDIS_URL: 'redis://s1:26379' },
      'REDIS_SENTINEL_MASTER',
      /the name of the master/,
    ],
  ])('%j is refused naming %s', (env, name, why) => {
    const e = errorOf(env);
    expect(e.message).toContain(`${name} is invalid`);
    expect(e.message).toMatch(why);
  });
});

describe('Redis credentials', () => {
  it('an error about REDIS_URL never shows its password', () => {
    const e = errorOf({ REDIS_URL: 'redis://:s3cret@a:6379,redis://:s3cret@b:6379' });
    expect(e.message).not.toContain('s3cret');
    expect(e.message).toContain('redis://***@a:6379');
  });
});
