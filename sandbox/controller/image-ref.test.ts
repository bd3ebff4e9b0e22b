// Image references normalise the way containerd does.
import { describe, expect, it } from 'vitest';
import { InvalidImageRefError, normalizeImageRef } from './image-ref.js';

describe('normalizeImageRef', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx', 'latest', 'docker.io/library/nginx:latest'],
    ['nginx:1.25', 'docker.io/library/nginx', '1.25', 'docker.io/library/nginx:1.25'],
    ['docker.io/nginx:1.25', 'docker.io/library/nginx', '1.25', 'docker.io/library/nginx:1.25'],
    ['index.docker.io/library/redis:7.2', 'docker.io/library/redis', '7.2', 'docker.io/library/redis:7.2'],
    ['acme/shop-web:1.4.0', 'docker.io/acme/shop-web', '1.4.0', 'docker.io/acme/shop-web:1.4.0'],
    ['acme/shop-web', 'docker.io/acme/shop-web', 'latest', 'docker.io/acme/shop-web:latest'],
    ['ghcr.io/acme/api:2', 'ghcr.io/acme/api', '2', 'ghcr.io/acme/api:2'],
    ['localhost:5000/app', 'localhost:5000/app', 'latest', 'localhost:5000/app:latest'],
    [
      'registry.internal:5000/team/app:v1',
      'registry.internal:5000/team/app',
      'v1',
      'registry.internal:5000/team/app:v1',
    ],
    ['python:3.12-slim', 'docker.io/library/python', '3.12-slim', 'docker.io/library/python:3.12-slim'],
  ])('%s → %s:%s', (input, repository, tag, full) => {
    const ref = normalizeImageRef(input);
    expect(ref).toMatchObject({ original: input, repository, tag, digest: null, full });
  });

  it('keeps a digest and adds no default tag to a digest-only reference', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(normalizeImageRef(`nginx@${digest}`)).toMatchObject({
      tag: null,
      digest,
      full: `docker.io/library/nginx@${digest}`,
    });
    expect(normalizeImageRef(`nginx:1.25@${digest}`).full).toBe(`docker.io/library/nginx:1.25@${digest}`);
  });

  it('refuses what containerd refuses, with its message', () => {
    expect(() => normalizeImageRef('Nginx:1.25')).toThrow(
      new InvalidImageRefError('invalid reference format: repository name (library/Nginx) must be lowercase'),
    );
    expect(() => normalizeImageRef('nginx:')).toThrow('invalid reference format');
    expect(() => normalizeImageRef('nginx@sha256:xyz')).toThrow('invalid reference format');
    expect(() => normalizeImageRef('')).toThrow(InvalidImageRefError);
  });
});
