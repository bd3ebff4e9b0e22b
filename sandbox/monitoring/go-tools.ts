// Go-module tools only some tests (and the demo's alert scene) need (Alertmanager, Prometheus, kube-state-metrics): built on first use, cached.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

const TOOLS = {
  alertmanager: { version: 'ALERTMANAGER_VERSION', script: 'build-alertmanager.sh', bin: 'alertmanager' },
  prometheus: { version: 'PROMETHEUS_VERSION', script: 'build-prometheus.sh', bin: 'prometheus' },
  'kube-state-metrics': {
    version: 'KUBE_STATE_METRICS_VERSION',
    script: 'build-kube-state-metrics.sh',
    bin: 'kube-state-metrics',
  },
} as const;
export type GoTool = keyof typeof TOOLS;

/** The cache path the build script installs to, keyed by the version in sandbox/versions.env. */
export function cachedTool(tool: GoTool): string {
  const versions = readFileSync(join(ROOT, 'sandbox/versions.env'), 'utf8');
  const { version: key, bin } = TOOLS[tool];
  const version = new RegExp(`^${key}=(\\S+)$`, 'm').exec(versions)?.[1];
  const cacheRoot =
    process.env.KUBE_AUTOFIX_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kube-autofix');
  return join(cacheRoot, `${tool}-${version}`, 'bin', bin);
}

/** The tool's binary, built by its script the first time (minutes; the scripts lock, so parallel callers build once). */
export async function ensureGoTool(tool: GoTool): Promise<string> {
  const bin = cachedTool(tool);
  if (existsSync(bin)) return bin;
  const script = join(ROOT, 'sandbox/scripts', TOOLS[tool].script);
  await new Promise<void>((done, fail) => {
    execFile('bash', [script], { maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err)
        fail(
          new Error(`building ${tool} failed (bash ${script}):\n${stderr.split('\n').slice(-30).join('\n')}`),
        );
      else done();
    });
  });
  if (!existsSync(bin)) throw new Error(`${script} finished but ${bin} is not there`);
  return bin;
}

/** Cold builds on 2 cores take minutes (Prometheus the longest): the hook that builds waits this long. */
export const BUILD_TIMEOUT_MS = 40 * 60_000;
