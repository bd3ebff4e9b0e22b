// Runs `kube-autofix start` (bot + worker) as its own process group, pointed at the local Slack; stops it cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface DemoBot {
  url: string;
  pid: number;
  logFile: string;
  /** Resolves if the process ends by itself (a crash) or after stop(). */
  exited: Promise<void>;
  stop(): Promise<void>;
}

export interface DemoBotOptions {
  root: string;
  /** State directory (pid and log files), e.g. .sandbox/demo. */
  dir: string;
  env: Record<string, string | undefined>;
  /** Runs once an earlier demo's bot is surely gone, before this one starts (e.g. resets its Redis keys). */
  beforeStart?: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/** A bot left running by an earlier demo that was killed (its pid file says so) is stopped first. */
async function stopLeftover(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  rmSync(pidFile);
  if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return;
  const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
  if (!cmdline.includes('src/cli/main.ts')) return;
  process.kill(pid, 'SIGTERM');
  await waitUntil(() => !alive(pid), 30_000);
}

function stopper(child: ChildProcess, pidFile: string, exited: Promise<void>): () => Promise<void> {
  return async () => {
    // One SIGTERM: the worker finishes its active job (up to 25 s), the bot stops taking requests.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(pidFile, { force: true });
  };
}

export async function startDemoBot(opts: DemoBotOptions): Promise<DemoBot> {
  mkdirSync(opts.dir, { recursive: true });
  const pidFile = join(opts.dir, 'kube-autofix.pid');
  const logFile = join(opts.dir, 'kube-autofix.log');
  await stopLeftover(pidFile);
  await opts.beforeStart?.();
  const port = await freePort();
  const log = openSync(logFile, 'w');
  // Its own process group: Ctrl-C reaches the demo, which stops the bot with exactly one SIGTERM.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'start', '--port', String(port)],
    {
      cwd: opts.root,
      env: opts.env,
      stdio: ['ignore', log, log],
      detached: true,
    },
  );
  writeFileSync(pidFile, String(child.pid));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = stopper(child, pidFile, exited);
  const url = `http://127.0.0.1:${port}`;
  const healthy = await waitUntil(async () => {
    if (child.exitCode !== null) return true;
    return fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
  }, 90_000);
  if (!healthy || child.exitCode !== null) {
    await stop();
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    throw new Error(`kube-autofix start did not become healthy (log: ${logFile}):\n${tail}`);
  }
  return { url: `${url}/slack/events`, pid: child.pid!, logFile, exited, stop };
}
