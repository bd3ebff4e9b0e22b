// A second Kubernetes cluster for multi-cluster tests: the sandbox's control plane, KWOK nodes and catalog
// controller only (SANDBOX_KUBE_ONLY=1: its workers share the first sandbox's Redis and MLflow), in a temp state
// directory; started by the test that needs it (about 30 s with the binaries cached) and stopped after it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPTS = resolve(import.meta.dirname, '../../../sandbox/scripts');

export interface SecondCluster {
  kubeconfig: string;
  stop(): Promise<void>;
}

export async function startSecondCluster(): Promise<SecondCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'autofix-second-cluster-'));
  const env = { ...process.env, SANDBOX_STATE_DIR: dir, SANDBOX_KUBE_ONLY: '1' };
  const stop = async (): Promise<void> => {
    await run('bash', [join(SCRIPTS, 'down.sh'), '--quiet'], { env }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run('bash', [join(SCRIPTS, 'up.sh')], { env, timeout: 300_000, maxBuffer: 16 << 20 });
  } catch (e) {
    await stop();
    const out = e as { stdout?: string; stderr?: string; message?: string };
    throw new Error(`could not start the second cluster: ${out.stderr || out.stdout || out.message}`);
  }
  return { kubeconfig: join(dir, 'kubeconfig'), stop };
}
