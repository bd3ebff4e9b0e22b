// Finds the helm the sandbox built (SANDBOX_HELM, or the versioned cache path) and runs it against the sandbox.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from '@kubernetes/client-node';
import { sandboxEnv, sandboxEnvPath } from '../sandbox-env.js';
import { cachedBinary } from './tool-cache.js';

export const CHART_DIR = resolve(import.meta.dirname, '../../../deploy/helm/kube-autofix');

export interface HelmRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** SANDBOX_HELM from .sandbox/env when the sandbox wrote it, else the cached build; a clear error when neither exists. */
export function helmBinary(): string {
  const fromSandbox = existsSync(sandboxEnvPath()) ? sandboxEnv().SANDBOX_HELM : undefined;
  const candidates = [process.env.SANDBOX_HELM, fromSandbox, cachedBinary('HELM_VERSION', 'helm', 'helm')];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found)
    throw new Error(
      `helm is not built (looked in ${candidates.filter(Boolean).join(', ')}). Run: bash sandbox/scripts/build-helm.sh`,
    );
  return found;
}

// Helm's own config, cache and data stay in a private directory, not the user's ~/.config/helm.
const helmHome = mkdtempSync(join(tmpdir(), 'helm-home-'));

export function helm(args: string[]): Promise<HelmRun> {
  const env = {
    ...process.env,
    // Only install/uninstall reach the cluster; rendering and linting work without a sandbox.
    KUBECONFIG: process.env.KUBECONFIG ?? (existsSync(sandboxEnvPath()) ? sandboxEnv().KUBECONFIG : ''),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_DATA_HOME: join(helmHome, 'data'),
  };
  return new Promise((done) => {
    execFile(helmBinary(), args, { env, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

/** `helm template` of the chart with values files (relative to the chart) and --set pairs; the objects rendered. */
export async function renderChart(
  valuesFiles: string[],
  opts: { release?: string; namespace?: string; set?: string[] } = {},
): Promise<KubernetesObject[]> {
  const r = await helm([
    'template',
    opts.release ?? 'autofix',
    CHART_DIR,
    '--namespace',
    opts.namespace ?? 'kube-autofix',
    ...valuesFiles.flatMap((f) => ['--values', join(CHART_DIR, f)]),
    ...(opts.set ?? []).flatMap((s) => ['--set', s]),
  ]);
  if (r.code !== 0) throw new Error(`helm template failed (${r.code}): ${r.stderr}`);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => !!o && typeof o === 'object' && 'kind' in o);
}
