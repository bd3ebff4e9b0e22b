// Starts bench/service-process.ts as a bot, worker or both (tsx, --expose-gc) and talks to it over IPC.
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { FromService, MemorySample, Role, ServiceStats, ToService } from './service-process.js';

export interface ServiceChild {
  port: number;
  memory(opts?: { gc?: boolean }): Promise<MemorySample>;
  stats(): Promise<ServiceStats>;
  /** Runs `during` with the service's CPU profiled, and writes the profile (a `.cpuprofile`) to `path`. */
  profile<T>(path: string, during: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

function next(child: ChildProcess, type: FromService['type']): Promise<FromService> {
  return new Promise((done, fail) => {
    const onMessage = (m: FromService): void => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      done(m);
    };
    const onExit = (code: number | null): void =>
      fail(new Error(`the ${type} answer never came: exit ${code}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function spawnService(role: Role, env: Record<string, string>): Promise<ServiceChild> {
  const child = fork(resolve(import.meta.dirname, 'service-process.ts'), [role], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await next(child, 'ready');
  const ask = (m: ToService): void => void child.send(m);
  return {
    port: ready.type === 'ready' ? ready.port : 0,
    async memory(opts = {}) {
      const answer = next(child, 'memory');
      ask({ type: opts.gc ? 'gc' : 'memory' });
      const m = await answer;
      if (m.type !== 'memory') throw new Error('unexpected answer');
      const { type: _type, ...sample } = m;
      return sample;
    },
    async stats() {
      const answer = next(child, 'stats');
      ask({ type: 'stats' });
      const m = await answer;
      if (m.type !== 'stats') throw new Error('unexpected answer');
      const { type: _type, ...stats } = m;
      return stats;
    },
    async profile(path, during) {
      const started = next(child, 'profiled');
      ask({ type: 'profile-start' });
      await started;
      try {
        return await during();
      } finally {
        const written = next(child, 'profiled');
        ask({ type: 'profile-stop', path });
        await written;
      }
    },
    async stop() {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      ask({ type: 'stop' });
      await exited;
    },
  };
}
