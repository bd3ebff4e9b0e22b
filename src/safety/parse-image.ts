// Container image references split the way the container runtime reads them (registry, repository, tag, digest).

export interface ImageReference {
  /** Registry host with port, lowercased; `docker.io` for unqualified images. */
  registry: string;
  /** Repository path; `library/nginx` for the Docker Hub shorthand `nginx`. */
  repository: string;
  tag: string | null;
  digest: string | null;
}

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

// The grammar of github.com/distribution/reference, split in two steps.
const DOMAIN_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_PART}(?:\\.${DOMAIN_PART})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_PART = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REMAINDER = new RegExp(
  `^(${PATH_PART}(?:/${PATH_PART})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`,
);

/** Registry hosts spelled the way policy compares them (Docker Hub's aliases fold into `docker.io`). */
export function normalizeRegistry(host: string): string {
  const h = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(h) ? DOCKER_HUB : h;
}

/** Parses `nginx`, `nginx:1.27`, `localhost:5000/x`, `ghcr.io/org/app@sha256:…`; null when invalid. */
export function parseImage(image: string): ImageReference | null {
  const slash = image.indexOf('/');
  const first = slash === -1 ? '' : image.slice(0, slash);
  // Docker's rule: the first component is a registry only if it looks like a host.
  const hasHost =
    slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  if (hasHost && !DOMAIN.test(first)) return null;
  const m = REMAINDER.exec(hasHost ? image.slice(slash + 1) : image);
  if (!m || image.length > 4096) return null;
  const registry = hasHost ? normalizeRegistry(first) : DOCKER_HUB;
  const path = m[1]!;
  const repository = registry === DOCKER_HUB && !path.includes('/') ? `library/${path}` : path;
  return { registry, repository, tag: m[2] ?? null, digest: m[3] ?? null };
}

/** Whether an allowlist entry (`ghcr.io` or a repository prefix such as `ghcr.io/acme`) admits the image. */
export function registryAllows(entry: string, ref: ImageReference): boolean {
  const trimmed = entry.trim().replace(/\/+$/, '');
  const slash = trimmed.indexOf('/');
  if (slash === -1) return normalizeRegistry(trimmed) === ref.registry;
  const prefix = `${normalizeRegistry(trimmed.slice(0, slash))}/${trimmed.slice(slash + 1)}`;
  const full = `${ref.registry}/${ref.repository}`;
  return full === prefix || full.startsWith(`${prefix}/`);
}
