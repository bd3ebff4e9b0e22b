// Image references: registry host, Docker Hub shorthand, ports, digests.
import { describe, expect, it } from 'vitest';
import { parseImage, registryAllows } from '../../../src/safety/parse-image.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('parseImage', () => {
  it.each([
    ['nginx', 'docker.io', 'library/nginx', null, null],
    ['nginx:1.27', 'docker.io', 'library/nginx', '1.27', null],
    ['library/nginx:1.27', 'docker.io', 'library/nginx', '1.27', null],
    ['bitnami/redis:7', 'docker.io', 'bitnami/redis', '7', null],
    ['docker.io/nginx', 'docker.io', 'library/nginx', null, null],
    ['index.docker.io/library/nginx', 'docker.io', 'library/nginx', null, null],
    ['localhost:5000/x', 'localhost:5000', 'x', null, null],
    ['localhost/x:dev', 'localhost', 'x', 'dev', null],
    ['ghcr.io/acme/web:1.4.2', 'ghcr.io', 'acme/web', '1.4.2', null],
    [`ghcr.io/acme/web@${DIGEST}`, 'ghcr.io', 'acme/web', null, DIGEST],
    [`registry.k8s.io/pause:3.9@${DIGEST}`, 'registry.k8s.io', 'pause', '3.9', DIGEST],
    ['10.0.0.5:5000/team/app:v1', '10.0.0.5:5000', 'team/app', 'v1', null],
  ])('%s', (image, registry, repository, tag, digest) => {
    expect(parseImage(image)).toEqual({ registry, repository, tag, digest });
  });

  it.each(['', 'Nginx', 'nginx:', 'a b', 'ghcr.io/', 'nginx@sha256:short', 'x/../y', '-bad/x'])(
    'rejects %j',
    (image) => {
      expect(parseImage(image)).toBeNull();
    },
  );
});

describe('registryAllows', () => {
  const ref = parseImage('ghcr.io/acme/web:1')!;
  it.each([
    ['ghcr.io', true],
    ['GHCR.IO', true],
    ['ghcr.io/acme', true],
    ['ghcr.io/acme/', true],
    ['ghcr.io/ac', false],
    ['docker.io', false],
    ['evil.ghcr.io', false],
  ])('%s → %s', (entry, ok) => {
    expect(registryAllows(entry, ref)).toBe(ok);
  });

  it('treats docker.io as covering unqualified images', () => {
    expect(registryAllows('docker.io', parseImage('nginx')!)).toBe(true);
    expect(registryAllows('index.docker.io', parseImage('nginx')!)).toBe(true);
    expect(registryAllows('docker.io/library', parseImage('nginx')!)).toBe(true);
  });
});
