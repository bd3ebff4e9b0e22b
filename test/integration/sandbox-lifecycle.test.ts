// sandbox:up / sandbox:down themselves, in a second state directory beside the shared sandbox:
// idempotent up, a clear failure for a port in use, and nothing left running after down.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = (name: string) => join(import.meta.dirname, '../../sandbox/scripts', `${name}.sh`);

async function sandbox(name: 'up' | 'down' | 'status', stateDir: string, env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run('bash', [script(name)], {
      // The shared sandbox's env file exports its own ports: a second sandbox must not inherit them.
      env: {
        ...process.env,
        SANDBOX_REDIS_PORT: '',
        SANDBOX_MLFLOW_PORT: '',
        SANDBOX_STATE_DIR: stateDir,
        ...env,
      },
      timeout: 600_000,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

async function processesUsing(dir: string): Promise<string> {
  const { stdout } = await run('pgrep', ['-af', '--', dir]).catch(() => ({ stdout: '' }));
  return stdout.trim();
}

describe('sandbox lifecycle', () => {
  it('refuses a port in use with a clear message and leaves nothing running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-port-'));
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await sandbox('up', dir, { SANDBOX_REDIS_PORT: String(port) });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`port ${port} (SANDBOX_REDIS_PORT) is in use`);
      expect(existsSync(join(dir, 'env'))).toBe(false);
      expect(await processesUsing(dir)).toBe('');
    } finally {
      blocker.close();
    }
  });

  it("starts, is idempotent, and stops without leftovers or touching anyone else's kubeconfig", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-life-'));
    // The suite's KUBECONFIG is the shared sandbox's: a second sandbox must leave it alone.
    const shared = process.env.KUBECONFIG ?? '';
    const sharedBefore = readFileSync(shared, 'utf8');
    try {
      const up = await sandbox('up', dir);
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toMatch(/export KUBECONFIG=/);
      expect((await sandbox('status', dir)).stdout).toMatch(
        /kubernetes: ready[\s\S]*redis: ready[\s\S]*mlflow: ready[\s\S]*catalog controller: running/,
      );
      const again = await sandbox('up', dir);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain('already running');
    } finally {
      await sandbox('down', dir);
    }
    expect(existsSync(join(dir, 'env'))).toBe(false);
    expect(await processesUsing(dir)).toBe('');
    expect((await sandbox('status', dir)).code).not.toBe(0);
    expect(readFileSync(shared, 'utf8')).toBe(sharedBefore);
  });
});
