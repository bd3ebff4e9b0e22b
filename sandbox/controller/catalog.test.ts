// The image catalog loads, holds the images the sandbox contract promises, and rejects malformed entries.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCatalog, CatalogError, findImage, loadCatalog } from './catalog.js';
import { normalizeImageRef } from './image-ref.js';

const catalog = loadCatalog(resolve(import.meta.dirname, '../catalog/images.yaml'));
const find = (ref: string) => findImage(catalog, normalizeImageRef(ref));

describe('the sandbox catalog', () => {
  it.each([
    'nginx:1.25',
    'nginx:1.26',
    'nginx:1.27',
    'nginx:1.28',
    'nginx:1.29',
    'nginx:stable',
    'nginx:latest',
    'nginx',
    'busybox:1.36',
    'busybox:latest',
    'redis:7.2',
    'redis:7.4',
    'postgres:15',
    'postgres:16',
    'python:3.11-slim',
    'python:3.12-slim',
    'acme/shop-web:1.4.0',
    'acme/shop-web:1.5.0',
    'acme/checkout:2.3.1',
    'acme/payments-api:1.8.0',
    'acme/worker:0.9.3',
  ])('has %s', (ref) => {
    expect(find(ref).found).toBe(true);
  });

  it('tells an unknown tag of a known repository from an unknown repository', () => {
    expect(find('nginx:1.99')).toMatchObject({ found: false, knownRepository: true });
    expect(find('acme/nope:1.0')).toMatchObject({ found: false, knownRepository: false });
    expect(find(`nginx@sha256:${'b'.repeat(64)}`)).toMatchObject({ found: false, knownRepository: true });
  });

  it('gives tags of the same version the same digest', () => {
    const stable = find('nginx:stable');
    const pinned = find('nginx:1.28');
    if (!stable.found || !pinned.found) throw new Error('missing');
    expect(stable.imageID).toBe(pinned.imageID);
    expect(stable.imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    expect(stable.version).toBe(pinned.version);
  });

  it('rejects a repository not in normalised form, a duplicate tag and an unknown base', () => {
    const image = { repository: 'docker.io/library/nginx', tags: { '1': '1.0.0' }, sizeBytes: 1 };
    expect(() => buildCatalog({ images: [{ ...image, repository: 'nginx' }] })).toThrow(CatalogError);
    expect(() => buildCatalog({ images: [image, image] })).toThrow(/twice/);
    expect(() => buildCatalog({ images: [{ ...image, base: 'alpine' }] })).toThrow(/unknown base alpine/);
    expect(() => buildCatalog({ images: [{ ...image, executables: { '/x': { kind: 'server' } } }] })).toThrow(
      /workingSet/,
    );
  });
});
