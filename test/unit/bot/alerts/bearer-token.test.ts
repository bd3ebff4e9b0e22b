import { describe, expect, it } from 'vitest';
import { bearerMatches } from '../../../../src/bot/alerts/bearer-token.js';

const TOKEN = 'a'.repeat(32);

describe('bearerMatches', () => {
  it('accepts the token as Alertmanager sends it', () => {
    expect(bearerMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a wrong token', `Bearer ${'b'.repeat(32)}`],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, 31)}`],
    ['the token and more', `Bearer ${TOKEN}x`],
    ['basic auth', `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`],
    ['the bare token', TOKEN],
    ['Bearer alone', 'Bearer '],
    ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
  ])('refuses %s', (_name, header) => {
    expect(bearerMatches(header, TOKEN)).toBe(false);
  });

  it('reads the first of repeated headers', () => {
    expect(bearerMatches([`Bearer ${TOKEN}`, 'Bearer x'], TOKEN)).toBe(true);
  });
});
