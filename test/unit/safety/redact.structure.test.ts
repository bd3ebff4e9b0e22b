// Redaction by structure keeps what the reader needs around the masked value: the key, the scheme, the user, the host.
import { describe, expect, it } from 'vitest';
import { REDACTED, redactText } from '../../../src/safety/redact.js';

const R = REDACTED;

describe('redactText keeps the structure around a secret', () => {
  it.each<[string, string, string]>([
    ['the auth scheme', 'Authorization: Bearer abc.def-123', `Authorization: Bearer ${R}`],
    ['an unknown scheme of an auth header', 'Authorization: SSWS 00aBc-12xY', `Authorization: SSWS ${R}`],
    ['user and host of a URL', 'amqps://svc:a%3Ab%40c@mq:5671/v', `amqps://svc:${R}@mq:5671/v`],
    ['the JSON around a value', '{"user":"a","password" : "x y z"}', `{"user":"a","password" : "${R}"}`],
    ['escapes of JSON in JSON', '{"m":"{\\"token\\":\\"t-9Xq\\"}"}', `{"m":"{\\"token\\":\\"${R}\\"}"}`],
    ['the rest of a query string', '/cb?code=4%2F0AeY-77xZ&state=s1', `/cb?code=${R}&state=s1`],
    ['the flag of a command line', "sqlcmd -S db -U sa -P 'Pw!2025x'", `sqlcmd -S db -U sa -P '${R}'`],
    [
      'an openssl password source',
      'openssl rsa -passin pass:osslPw-5 -out k',
      `openssl rsa -passin pass:${R} -out k`,
    ],
    ['the SQL statement', "ALTER ROLE app PASSWORD 'pgPw-1';", `ALTER ROLE app PASSWORD '${R}';`],
    ['the XML element', '<password>mvnPw42</password>', `<password>${R}</password>`],
  ])('keeps %s', (_what, text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it('keeps the indentation and the lines after a YAML block scalar', () => {
    const text = 'a:\n  secret: |\n    line-one-xyz-1\n    line-two-xyz-2\n  region: eu\n';
    expect(redactText(text)).toBe(`a:\n  secret: |\n    ${R}\n  region: eu\n`);
  });

  it('masks a private key cut at either end by the tail window, and keeps a certificate', () => {
    const cut = 'AAAEC2l0YW5kQmVuZDIwMjVrZXlNYXRlcmlhbA==\n-----END OPENSSH PRIVATE KEY-----\nnext line';
    expect(redactText(cut)).toBe(`${R}\nnext line`);
    const start = 'key:\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC';
    expect(redactText(start)).toBe(`key:\n${R}`);
    const cert = 'MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----';
    expect(redactText(cert)).toBe(cert);
  });

  it('masks a Base64 run whose decoded text holds a secret, and leaves one that does not', () => {
    const secret = Buffer.from('-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBase64Body').toString('base64');
    expect(redactText(`value ${secret}`)).toBe(`value ${R}`);
    const plain = Buffer.from('Hello, world! This is just text.').toString('base64');
    expect(redactText(`value ${plain}`)).toBe(`value ${plain}`);
  });

  it('is idempotent on every shape', () => {
    for (const text of [
      'Authorization: Basic dXNlcjpwYXNzd29yZA==',
      'X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a',
      'a:\n  token: >-\n    part-one-1\n    part-two-2\n',
      "keytool -storepass sp-1 -keypass kp-2 'x'",
    ]) {
      const once = redactText(text);
      expect(once).not.toBe(text);
      expect(redactText(once)).toBe(once);
    }
  });
});
