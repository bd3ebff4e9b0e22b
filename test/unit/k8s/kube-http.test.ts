// The kubeconfig is checked where it is loaded: a plain-HTTP server without insecure-skip-tls-verify is a clear config error.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAutofixError } from '../../../src/domain/index.js';
import { createKubeHttp } from '../../../src/k8s/kube-http.js';

function kubeconfig(server: string, skipTls: boolean): string {
  const path = join(mkdtempSync(join(tmpdir(), 'kubeconfig-')), 'config');
  writeFileSync(
    path,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: local`,
      `  cluster: { server: "${server}"${skipTls ? ', insecure-skip-tls-verify: true' : ''} }`,
      'users: [{ name: me, user: { token: t } }]',
      'contexts: [{ name: c, context: { cluster: local, user: me } }]',
      'current-context: c',
    ].join('\n'),
  );
  return path;
}

describe('createKubeHttp', () => {
  it('refuses a plain-HTTP server without insecure-skip-tls-verify, naming the cluster and what to change', () => {
    const err = (() => {
      try {
        createKubeHttp(kubeconfig('http://127.0.0.1:8080', false));
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(isAutofixError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((err as Error).message).toContain('cluster local is plain HTTP (http://127.0.0.1:8080)');
    expect(() => createKubeHttp(kubeconfig('http://127.0.0.1:8080', true))).not.toThrow();
    expect(() => createKubeHttp(kubeconfig('https://127.0.0.1:6443', false))).not.toThrow();
  });
});
