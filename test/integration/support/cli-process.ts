// Runs the real CLI in its own process (tsx), for what in-process runs cannot show: signals, the process's own stderr.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { sandboxEnv } from '../sandbox-env.js';

export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The real CLI in its own process (signals, the process's own stderr); `during` runs while it is alive. */
export async function cliProcess(
  args: string[],
  extraEnv: Record<string, string>,
  during?: (child: ReturnType<typeof spawn>) => Promise<void>,
): Promise<ProcessRun> {
  const root = resolve(import.meta.dirname, '../../..');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      KUBECONFIG: sandboxEnv().KUBECONFIG,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<Pick<ProcessRun, 'code' | 'signal'>>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  await during?.(child);
  return { ...(await exited), stdout, stderr };
}
