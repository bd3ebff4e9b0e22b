// A long-running tool (Alertmanager, Prometheus, kube-state-metrics) on loopback: started, awaited ready, stopped.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

export interface ToolProcess {
  log(): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

/** Polls `check` until it is true; an error from it ends the wait at once. */
export async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Spawns `bin` and waits until `readyUrl` answers 2xx; a tool that exits first fails with its output. */
export async function startTool(
  name: string,
  bin: string,
  args: string[],
  readyUrl: string,
): Promise<ToolProcess> {
  let output = '';
  const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-200_000)));
  proc.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-200_000)));
  const exited = new Promise<void>((done) => proc.once('exit', () => done()));
  await until(`${name} ready`, 60_000, async () => {
    if (proc.exitCode !== null) throw new Error(`${name} exited (${proc.exitCode}): ${output.slice(-2000)}`);
    return (await fetch(readyUrl).catch(() => null))?.ok === true;
  });
  return {
    log: () => output,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
    },
  };
}

/** A metric from a Prometheus text exposition, summed over the series whose labels include `labels`. */
export function sumMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      sum += Number(line.split(' ').pop());
  }
  return sum;
}
