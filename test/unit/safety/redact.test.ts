// Redaction: secrets in objects, env, and log text never survive; harmless text is untouched.
import { describe, expect, it } from 'vitest';
import { credentialName } from '../../../src/safety/credential-name.js';
import { REDACTED, redactObject, redactText } from '../../../src/safety/redact.js';
import { liveDeployment, secretObject } from '../../fixtures/policy-fixtures.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const GH = `ghp_${'a1B2c3D4e5'.repeat(4)}`;
const PEM = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAvP1r',
  'c2VjcmV0a2V5bWF0ZXJpYWw=',
  '-----END RSA PRIVATE KEY-----',
].join('\n');

describe('redactText', () => {
  it.each<[string, string, string]>([
    ['bearer token', 'GET /api 401 Authorization failed for Bearer abc.def-ghi_123', 'abc.def-ghi_123'],
    ['Authorization header', 'request headers: Authorization: Basic dXNlcjpwYXNz', 'dXNlcjpwYXNz'],
    ['JSON Authorization header', '{"authorization":"Token 9f8e7d6c5b"}', '9f8e7d6c5b'],
    ['JWT', `session=${JWT} accepted`, JWT],
    ['bare JWT', `token is ${JWT}`, 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'],
    ['AWS access key', 'using key AKIAIOSFODNN7EXAMPLE for s3', 'AKIAIOSFODNN7EXAMPLE'],
    ['GitHub token', `git clone https://${GH}@github.com/acme/x`, GH],
    [
      'GitHub fine-grained token',
      'GITHUB=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
      'github_pat_11ABCDEFG0123456789',
    ],
    ['Slack token', 'posting with xoxb-1234567890-0987654321-AbCdEfGhIjKl', 'xoxb-1234567890'],
    [
      'OpenAI key',
      'openai.AuthenticationError: Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwx',
      'sk-proj-abcdefghijklmnopqrstuvwx',
    ],
    ['PEM private key', `loaded key:\n${PEM}\nok`, 'c2VjcmV0a2V5bWF0ZXJpYWw='],
    [
      'truncated PEM',
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
      'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC',
    ],
    ['password=', 'connecting with user=app password=hunter2 host=db', 'hunter2'],
    [
      'password: in YAML-ish log',
      'config loaded: {db_password: "correct horse battery"}',
      'correct horse battery',
    ],
    ['JSON secret', '{"level":"info","client_secret":"s3cr3t-value","msg":"x"}', 's3cr3t-value'],
    ['token in query string', 'GET /callback?code=1&access_token=abc123def&state=x', 'abc123def'],
    ['api_key', 'API_KEY=live_4f3e2d1c', 'live_4f3e2d1c'],
    ['URL credentials', 'dial postgres://app:Pa55w0rd@db.shop.svc:5432/app failed', 'Pa55w0rd'],
  ])('masks %s', (_name, text, secret) => {
    const out = redactText(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it('keeps the shape readable', () => {
    expect(redactText('Authorization: Bearer abc123')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactText('authorization=dXNlcjpwYXNzd29yZA==')).toBe(`authorization=${REDACTED}`);
    expect(redactText('password=hunter2 next')).toBe(`password=${REDACTED} next`);
    expect(redactText('{"token":"abc"}')).toBe(`{"token":"${REDACTED}"}`);
    expect(redactText('redis://default:pw@redis:6379')).toBe(`redis://default:${REDACTED}@redis:6379`);
  });

  it('is idempotent', () => {
    const once = redactText(`password=x Authorization: Bearer y https://u:p@h ${JWT}`);
    expect(redactText(once)).toBe(once);
  });

  it.each([
    'Back-off restarting failed container app in pod web-7c9d8f6b5d-x2x4k',
    'MountVolume.SetUp failed for volume "db-secret" : secret "db-secret" not found',
    "Error: couldn't find key password in Secret shop/web-db",
    'Failed to pull image "ghcr.io/acme/web:1.4.9": not found',
    'OOMKilled: container app exceeded memory limit 64Mi',
    'listening on http://0.0.0.0:8080 (task-runner-7)',
    'GET /healthz 200 2ms',
    'secret "web-db" not found',
    'pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed',
  ])('leaves harmless text alone: %s', (text) => {
    expect(redactText(text)).toBe(text);
  });
});

describe('credentialName', () => {
  it.each([
    'DB_PASSWORD',
    'PASSWD',
    'SECRET_KEY_BASE',
    'GITHUB_TOKEN',
    'API_KEY',
    'stripeApiKey',
    'AWS_SECRET_ACCESS_KEY',
    'PRIVATE_KEY',
    'AUTH',
    'SENTRY_DSN',
    'DATABASE_CONNECTION_STRING',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'signing-key',
  ])('%s is a credential', (name) => {
    expect(credentialName(name)).toBe(true);
  });
  it.each(['LOG_LEVEL', 'PORT', 'KEYCLOAK_URL', 'AUTHOR', 'MONKEY_MODE', 'NODE_ENV', 'DATABASE_HOST'])(
    '%s is not',
    (name) => {
      expect(credentialName(name)).toBe(false);
    },
  );
});

describe('redactObject', () => {
  it('masks every Secret value and keeps the keys', () => {
    const out = redactObject(secretObject());
    expect(out.data).toEqual({ password: REDACTED, username: REDACTED });
    expect(out.stringData).toEqual({ extra: REDACTED });
    expect(JSON.stringify(out)).not.toMatch(/aHVudGVyMg|d2Vi|plain-text-secret/);
    expect(out.metadata).toEqual(secretObject().metadata);
  });

  it('masks Secrets inside lists', () => {
    const out = redactObject({ kind: 'List', items: [secretObject()] });
    expect(JSON.stringify(out)).not.toContain('aHVudGVyMg');
  });

  it('masks credential env values and token-shaped values, keeps the rest', () => {
    const d = liveDeployment();
    const c = (d.spec as { template: { spec: { containers: Array<{ env: unknown[]; args: string[] }> } } })
      .template.spec.containers[0]!;
    c.env.push(
      { name: 'API_TOKEN', value: 'plain-looking' },
      { name: 'UPSTREAM', value: `Bearer ${GH}` },
      { name: 'CALLBACK', value: 'https://x.example' },
    );
    c.args = ['--port=8080', '--db-password', 'hunter2', '--token=abc'];
    const out = redactObject(d);
    const env = (
      out.spec as typeof d.spec as {
        template: {
          spec: { containers: Array<{ env: Array<{ name: string; value?: string }>; args: string[] }> };
        };
      }
    ).template.spec.containers[0]!;
    expect(env.env.map((e) => [e.name, e.value])).toEqual([
      ['LOG_LEVEL', 'info'],
      ['DB_PASSWORD', undefined],
      ['API_TOKEN', REDACTED],
      ['UPSTREAM', REDACTED],
      ['CALLBACK', 'https://x.example'],
    ]);
    expect(env.args).toEqual(['--port=8080', '--db-password', REDACTED, `--token=${REDACTED}`]);
    const text = JSON.stringify(out);
    for (const secret of ['plain-looking', GH, 'hunter2', 's3cr3t-t0ken']) expect(text).not.toContain(secret);
  });

  it('masks the last-applied annotation and leaves other metadata', () => {
    const out = redactObject(liveDeployment());
    const annotations = (out.metadata as { annotations: Record<string, string> }).annotations;
    expect(annotations['kubectl.kubernetes.io/last-applied-configuration']).toBe(REDACTED);
    expect(annotations['deployment.kubernetes.io/revision']).toBe('4');
    expect((out.metadata as { uid: string }).uid).toBe('6f1c2b7e-1d7a-4b8e-9a51-0c3f2d9e4a11');
  });

  it('masks credential-named ConfigMap keys', () => {
    const out = redactObject({ kind: 'ConfigMap', data: { 'db.password': 'x', LOG_LEVEL: 'debug' } });
    expect(out.data).toEqual({ 'db.password': REDACTED, LOG_LEVEL: 'debug' });
  });

  it('deep-copies: the input is untouched', () => {
    const input = secretObject();
    redactObject(input);
    expect(input).toEqual(secretObject());
  });

  it('never throws on odd input', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const shared = { value: 'x' };
    expect(redactObject(null)).toBeNull();
    expect(redactObject(42)).toBe(42);
    expect(redactObject('password=x')).toBe(`password=${REDACTED}`);
    expect(redactObject([1, null, 'a', [true]])).toEqual([1, null, 'a', [true]]);
    expect(redactObject({ env: [null, 3, 'x', { name: 5, value: 6 }] })).toEqual({
      env: [null, 3, 'x', { name: 5, value: 6 }],
    });
    expect(redactObject({ kind: 'Secret', data: 'not-a-map' })).toEqual({ kind: 'Secret', data: REDACTED });
    expect(redactObject(cyclic)).toEqual({ a: 1, self: REDACTED });
    expect(redactObject({ x: shared, y: shared })).toEqual({ x: { value: 'x' }, y: { value: 'x' } });
  });
});
