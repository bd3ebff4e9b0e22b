// Starts bench/service-process.ts as a bot, worker or both (--expose-gc) and talks to it over IPC. The service
// runs from the built dist/ (as in production: no transpiling, no loader thread) when dist/ is fresh, else
// from src/ under tsx; BENCH_SERVICES=dist|src forces one.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
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

export interface ServiceCode {
  from: 'dist' | 'src';
  /** Why: forced, or how dist/ compares with src/. */
  why: string;
}

const ROOT = resolve(import.meta.dirname, '..');
const DIST_MAIN = join(ROOT, 'dist', 'cli', 'main.js');

/** Newest modification time under src/, ms. */
function newestSource(): number {
  const dir = join(ROOT, 'src');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  return Math.max(...files.map((f) => statSync(join(dir, f)).mtimeMs));
}

let chosen: ServiceCode | undefined;

/** Where the bench's services run from (decided once per bench run). */
export function serviceCode(): ServiceCode {
  if (chosen) return chosen;
  const forced = process.env.BENCH_SERVICES;
  if (forced && forced !== 'dist' && forced !== 'src')
    throw new Error(`BENCH_SERVICES must be dist or src, got "${forced}".`);
  const built = statSync(DIST_MAIN, { throwIfNoEntry: false })?.mtimeMs;
  const fresh = built !== undefined && built >= newestSource();
  if (forced === 'dist' && !fresh)
    throw new Error(
      'BENCH_SERVICES=dist but dist/ is missing or older than src/: run `npm run build` first.',
    );
  chosen =
    forced === 'src'
      ? { from: 'src', why: 'BENCH_SERVICES=src' }
      : fresh
        ? { from: 'dist', why: forced ? 'BENCH_SERVICES=dist' : 'dist/ is newer than src/' }
        : { from: 'src', why: built === undefined ? 'no dist/ (npm run build)' : 'dist/ is older than src/' };
  return chosen;
}

let harness: string | undefined;

/** service-process.ts as plain JavaScript (type-only imports of src/ dropped), written once to a temp dir. */
function plainHarness(): string {
  if (harness) return harness;
  const source = readFileSync(resolve(import.meta.dirname, 'service-process.ts'), 'utf8');
  const js = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const dir = mkdtempSync(join(tmpdir(), 'kube-autofix-bench-'));
  // Gone with the bench: a child only reads it at its start.
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  harness = join(dir, 'service-process.mjs');
  writeFileSync(harness, js);
  return harness;
}

function launcher(): { path: string; execArgv: string[]; code: string } {
  if (serviceCode().from === 'dist')
    return { path: plainHarness(), execArgv: ['--expose-gc'], code: pathToFileURL(join(ROOT, 'dist/')).href };
  return {
    path: resolve(import.meta.dirname, 'service-process.ts'),
    execArgv: ['--expose-gc', '--import', 'tsx'],
    code: pathToFileURL(join(ROOT, 'src/')).href,
  };
}

export async function spawnService(role: Role, env: Record<string, string>): Promise<ServiceChild> {
  const how = launcher();
  const child = fork(how.path, [role], {
    execArgv: how.execArgv,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BENCH_SERVICE_CODE: how.code, ...env },
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
