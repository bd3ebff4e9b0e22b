// Known values: the workload's own secret values are masked in every form a program prints them.
import { describe, expect, it } from 'vitest';
import {
  knownForms,
  knownValues,
  MIN_KNOWN_LENGTH,
  NO_KNOWN_VALUES,
} from '../../../src/safety/known-values.js';
import { REDACTED, redactText } from '../../../src/safety/redact-text.js';

const SECRET = 'Pl@in value/with+odd "chars"';

describe('knownValues', () => {
  it.each<[string, string]>([
    ['raw', SECRET],
    ['JSON-escaped', JSON.stringify(SECRET).slice(1, -1)],
    ['JSON-escaped twice', JSON.stringify(JSON.stringify(SECRET).slice(1, -1)).slice(1, -1)],
    ['URL-encoded', encodeURIComponent(SECRET)],
    [
      'URL-encoded, lower-case hex',
      encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
    ],
    ['form-encoded', encodeURIComponent(SECRET).replace(/%20/g, '+')],
  ])('masks the value %s', (_form, printed) => {
    const matcher = knownValues([SECRET]);
    const out = matcher.mask(`before ${printed} after`);
    expect(out).toBe(`before ${REDACTED} after`);
  });

  it.each(['base64', 'base64url'] as const)(
    'masks a value in %s at each alignment, alone or in a longer blob',
    (enc) => {
      const matcher = knownValues([SECRET]);
      for (const [prefix, suffix] of [
        ['', ''],
        ['a', ''],
        ['ab', ' and more'],
        ['user:', ':x'],
        ['abc', 'z'],
      ]) {
        const blob = Buffer.from(`${prefix}${SECRET}${suffix}`).toString(enc);
        const out = matcher.mask(`auth ${blob} end`);
        expect(out).toContain(REDACTED);
        // What is left of the blob decodes to no part of the value longer than a few characters.
        const left = out
          .split(' ')[1]!
          .split(REDACTED)
          .map((p) => Buffer.from(p, enc).toString('latin1'));
        for (const part of left) expect(SECRET.includes(part) && part.length > 3, part).toBe(false);
      }
    },
  );

  it('masks each line of a multi-line value (a PEM body printed line by line)', () => {
    const pem =
      '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQk\nZm9vYmFyYmF6cXV4\n-----END CERTIFICATE-----';
    const out = knownValues([pem]).mask('line 2 of the key: Zm9vYmFyYmF6cXV4');
    expect(out).toBe(`line 2 of the key: ${REDACTED}`);
  });

  it('takes a Secret data value as bytes', () => {
    const out = knownValues([new TextEncoder().encode('bytes-secret-99')]).mask('got bytes-secret-99');
    expect(out).toBe(`got ${REDACTED}`);
  });

  it(`ignores values shorter than ${MIN_KNOWN_LENGTH} characters, so common words stay readable`, () => {
    const matcher = knownValues(['admin', 'true', '5432']);
    expect(matcher).toBe(NO_KNOWN_VALUES);
    expect(knownForms('1234567')).toEqual([]);
    expect(knownForms('12345678')).toContain('12345678');
  });

  it('masks overlapping and repeated values whole', () => {
    const matcher = knownValues(['abcdefgh12', 'gh12345678']);
    expect(matcher.mask('x abcdefgh12345678 y abcdefgh12')).toBe(`x ${REDACTED} y ${REDACTED}`);
  });

  it('masks known values before anything else in redactText, and leaves other text alone', () => {
    const known = knownValues(['just-a-word-value']);
    expect(redactText('deploy just-a-word-value now', known)).toBe(`deploy ${REDACTED} now`);
    expect(redactText('deploy something-else now', known)).toBe('deploy something-else now');
  });
});
