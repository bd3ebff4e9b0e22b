// Reads `.sandbox/env` (written by `npm run sandbox:up`) so integration tests reach the real sandbox.
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface SandboxEnv {
  KUBECONFIG: string;
  REDIS_URL: string;
  MLFLOW_TRACKING_URI: string;
  /** Directory of the running sandbox's state (`.sandbox/`). */
  SANDBOX_DIR: string;
  [key: string]: string;
}

export function sandboxEnvPath(): string {
  return resolve(process.env.SANDBOX_STATE_DIR ?? resolve(import.meta.dirname, '../../.sandbox'), 'env');
}

/** Parses `export NAME=value` lines; throws a clear error when the sandbox is not up. */
export function sandboxEnv(): SandboxEnv {
  const path = sandboxEnvPath();
  if (!existsSync(path)) {
    throw new Error(`The sandbox is not running (${path} is missing). Start it with: npm run sandbox:up`);
  }
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(?:'([^']*)'|"([^"]*)"|(\S*))$/.exec(line.trim());
    if (m) env[m[1]!] = m[2] ?? m[3] ?? m[4] ?? '';
  }
  for (const key of ['KUBECONFIG', 'REDIS_URL', 'MLFLOW_TRACKING_URI', 'SANDBOX_DIR']) {
    if (!env[key]) throw new Error(`${path} has no ${key}; re-run npm run sandbox:up`);
  }
  return env as SandboxEnv;
}
