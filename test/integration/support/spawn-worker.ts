// Runs `kube-autofix worker` as a real child process (its own process group), to kill it like an OOM or a node loss.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { waitFor } from './wait-for.js';

export interface ChildWorker {
  readonly process: ChildProcess;
  /** Everything it logged (JSON lines on stderr). */
  logs(): string;
  /** Resolves once it logged "worker started". */
  ready(timeoutMs?: number): Promise<void>;
  /** Sends `signal` to its whole process group (npx → tsx → node) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const ROOT = resolve(import.meta.dirname, '../../..');

/** `npx tsx src/cli/main.ts worker`; `direct` runs `node --import tsx …` (one process, for signal tests). */
export function spawnWorker(env: Record<string, string>, opts: { direct?: boolean } = {}): ChildWorker {
  const cli = ['src/cli/main.ts', 'worker', '--port', '0'];
  const [cmd, args] = opts.direct
    ? [process.execPath, ['--import', 'tsx', ...cli]]
    : ['npx', ['tsx', ...cli]];
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let logs = '';
  child.stderr?.on('data', (d: Buffer) => (logs += d.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => res({ code, signal })),
  );
  return {
    process: child,
    logs: () => logs,
    ready: (timeoutMs = 60_000) =>
      waitFor(
        async () => {
          if (child.exitCode !== null) throw new Error(`worker exited early (${child.exitCode}):\n${logs}`);
          return logs.includes('"msg":"worker started"');
        },
        { what: 'the child worker to start', timeoutMs, intervalMs: 100 },
      ).then(() => undefined),
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, signal);
      return exited;
    },
  };
}
