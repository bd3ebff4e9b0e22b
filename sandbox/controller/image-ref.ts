// Normalises image references the way containerd does (docker.io/library, default tag `latest`).

export interface ImageRef {
  /** The reference as written in the pod spec, e.g. `nginx:1.25`. */
  original: string;
  /** Registry host, e.g. `docker.io`. */
  domain: string;
  /** Repository with its domain, e.g. `docker.io/library/nginx`. */
  repository: string;
  /** Tag (`latest` when neither tag nor digest is given); null for a digest-only reference. */
  tag: string | null;
  digest: string | null;
  /** Fully qualified reference, e.g. `docker.io/library/nginx:1.25` or `…/nginx@sha256:…`. */
  full: string;
}

const DEFAULT_DOMAIN = 'docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;

export class InvalidImageRefError extends Error {
  readonly code = 'INVALID_IMAGE_REF';
}

/** Parses and normalises an image reference; throws InvalidImageRefError like containerd would refuse it. */
export function normalizeImageRef(original: string): ImageRef {
  let rest = original.trim();
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidImageRefError('invalid reference format');
  }
  let tag: string | null = null;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidImageRefError('invalid reference format');
  }
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const firstSlash = rest.indexOf('/');
  if (firstSlash >= 0) {
    const first = rest.slice(0, firstSlash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      domain = first === 'index.docker.io' ? DEFAULT_DOMAIN : first;
      path = rest.slice(firstSlash + 1);
    }
  }
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  if (path !== path.toLowerCase()) {
    throw new InvalidImageRefError(`invalid reference format: repository name (${path}) must be lowercase`);
  }
  if (path === '' || !path.split('/').every((c) => COMPONENT.test(c)))
    throw new InvalidImageRefError('invalid reference format');
  if (tag === null && digest === null) tag = 'latest';
  const repository = `${domain}/${path}`;
  const full = repository + (tag !== null ? `:${tag}` : '') + (digest !== null ? `@${digest}` : '');
  return { original, domain, repository, tag, digest, full };
}
