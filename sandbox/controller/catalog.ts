// The simulated image catalog: its zod schema, the loader that resolves bases, and image lookup.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parse } from 'yaml';
import { z } from 'zod';
import { normalizeImageRef, type ImageRef } from './image-ref.js';

/** A log line: a string goes to stdout, `{stderr: "…"}` to stderr. */
export const LogLine = z.union([z.string(), z.object({ stderr: z.string() }).strict()]);
export type LogLine = z.infer<typeof LogLine>;

const Quantity = z
  .string()
  .regex(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T)?$/, 'a Kubernetes quantity such as 120Mi');

export const RequiredEnv = z
  .object({
    name: z.string(),
    /** The requirement is waived when all of these variables have these values. */
    unless: z.record(z.string(), z.string()).optional(),
    exitCode: z.number().int().min(1).max(255).default(1),
    /** What the program prints before exiting when the variable is missing or empty. */
    logs: z.array(LogLine).min(1),
  })
  .strict();
export type RequiredEnv = z.infer<typeof RequiredEnv>;

export const Server = z
  .object({
    ports: z.array(z.number().int().min(1).max(65535)).default([]),
    /** `--port N` style argument that moves the (first) port. */
    portFlag: z.string().optional(),
    /** Environment variable that moves the (first) port. */
    portEnv: z.string().optional(),
    /** The first positional argument is the port (python -m http.server 9000). */
    portPositional: z.boolean().default(false),
    /** HTTP paths answered with 200; any other path gets 404. Absent: not an HTTP server. */
    httpPaths: z.array(z.string()).optional(),
    /** Go's HTTP client error when an HTTP probe hits this non-HTTP port (e.g. `EOF`). */
    notHttp: z.string().default('EOF'),
    /** Serves the gRPC health protocol on its ports. */
    grpcHealth: z.boolean().default(false),
    requiredEnv: z.array(RequiredEnv).default([]),
    workingSet: Quantity,
    /** Seconds from start until the working set is reached and the server is up. */
    startupSeconds: z.number().min(0).default(1),
    logs: z.array(LogLine).default([]),
    /** Exit code after the stop signal; PID 1 without a handler ignores SIGTERM and is killed (137). */
    stopExitCode: z.number().int().min(0).max(255).default(137),
    stopLogs: z.array(LogLine).default([]),
  })
  .strict();
export type Server = z.infer<typeof Server>;

const ServerExecutable = Server.extend({ kind: z.literal('server') }).strict();
export const Executable = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('shell'), flavor: z.enum(['dash', 'bash', 'busybox']) }).strict(),
  z
    .object({
      kind: z.literal('entrypoint'),
      /** Printed before the entrypoint execs its arguments. */
      logs: z.array(LogLine).default([]),
      /** Prepended when the first argument is a flag (`docker-entrypoint.sh --port 1` → `redis-server --port 1`). */
      defaultProgram: z.string().optional(),
    })
    .strict(),
  ServerExecutable,
  z.object({ kind: z.literal('python'), modules: z.record(z.string(), Server).default({}) }).strict(),
  z.object({ kind: z.enum(['sleep', 'tail', 'echo', 'cat', 'true', 'false', 'env']) }).strict(),
]);
export type Executable = z.infer<typeof Executable>;

const Base = z
  .object({
    path: z
      .array(z.string())
      .default(['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']),
    executables: z.record(z.string(), Executable).default({}),
  })
  .strict();

const CatalogImageInput = z
  .object({
    repository: z.string(),
    base: z.string().optional(),
    /** $PATH of the image; defaults to its base's. */
    path: z.array(z.string()).optional(),
    /** Tag → the software version it carries (used as `{{version}}` in log lines). */
    tags: z.record(z.string(), z.string()),
    sizeBytes: z.number().int().positive(),
    entrypoint: z.array(z.string()).default([]),
    cmd: z.array(z.string()).default([]),
    /** Environment the image sets (ENV in its Dockerfile). */
    env: z.record(z.string(), z.string()).default({}),
    executables: z.record(z.string(), Executable).default({}),
    /** A private repository: pulls need an imagePullSecret for its registry with this user. */
    private: z
      .object({ username: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict();

export const CatalogFile = z
  .object({ bases: z.record(z.string(), Base).default({}), images: z.array(CatalogImageInput).min(1) })
  .strict();

/** An image with its base merged in: every executable it has, by absolute path. */
export interface CatalogImage {
  repository: string;
  tags: Record<string, string>;
  sizeBytes: number;
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  path: string[];
  executables: Record<string, Executable>;
  /** The user a pull secret must offer for this registry; null for a public image. */
  privateUser: string | null;
}
export interface Catalog {
  images: CatalogImage[];
}

export class CatalogError extends Error {
  readonly code = 'CATALOG_INVALID';
}

/** Validates a parsed catalog document and resolves each image's base. */
export function buildCatalog(doc: unknown): Catalog {
  const parsed = CatalogFile.safeParse(doc);
  if (!parsed.success) throw new CatalogError(`invalid catalog: ${z.prettifyError(parsed.error)}`);
  const seen = new Set<string>();
  const images = parsed.data.images.map((img): CatalogImage => {
    if (normalizeImageRef(img.repository).repository !== img.repository) {
      throw new CatalogError(`catalog repository ${img.repository} is not in normalised form`);
    }
    for (const tag of Object.keys(img.tags)) {
      const key = `${img.repository}:${tag}`;
      if (seen.has(key)) throw new CatalogError(`catalog lists ${key} twice`);
      seen.add(key);
    }
    const base = img.base === undefined ? undefined : parsed.data.bases[img.base];
    if (img.base !== undefined && base === undefined)
      throw new CatalogError(`image ${img.repository} names unknown base ${img.base}`);
    return {
      repository: img.repository,
      tags: img.tags,
      sizeBytes: img.sizeBytes,
      entrypoint: img.entrypoint,
      cmd: img.cmd,
      env: img.env,
      path: img.path ?? base?.path ?? Base.parse({}).path,
      executables: { ...(base?.executables ?? {}), ...img.executables },
      privateUser: img.private?.username ?? null,
    };
  });
  return { images };
}

export function loadCatalog(path: string): Catalog {
  return buildCatalog(parse(readFileSync(path, 'utf8')));
}

export type ImageLookup =
  | { found: true; image: CatalogImage; ref: ImageRef; version: string; imageID: string }
  | { found: false; ref: ImageRef; knownRepository: boolean };

/** Finds an image by reference; digests are never in the catalog. */
export function findImage(catalog: Catalog, ref: ImageRef): ImageLookup {
  const candidates = catalog.images.filter((i) => i.repository === ref.repository);
  const image =
    ref.digest === null && ref.tag !== null ? candidates.find((i) => ref.tag! in i.tags) : undefined;
  if (image === undefined || ref.tag === null)
    return { found: false, ref, knownRepository: candidates.length > 0 };
  const version = image.tags[ref.tag]!;
  const digest = createHash('sha256').update(`${image.repository}@${version}`).digest('hex');
  return { found: true, image, ref, version, imageID: `${image.repository}@sha256:${digest}` };
}
