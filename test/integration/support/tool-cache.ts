// Where the sandbox scripts cache a tool: <cache root>/<name>-<version from sandbox/versions.env>/bin/<binary>.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function cachedBinary(versionKey: string, name: string, binary: string): string {
  const versions = readFileSync(resolve(import.meta.dirname, '../../../sandbox/versions.env'), 'utf8');
  const version = new RegExp(`^${versionKey}=(\\S+)$`, 'm').exec(versions)?.[1];
  if (!version) throw new Error(`sandbox/versions.env has no ${versionKey}`);
  const cacheRoot =
    process.env.KUBE_AUTOFIX_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kube-autofix');
  return join(cacheRoot, `${name}-${version}`, 'bin', binary);
}
