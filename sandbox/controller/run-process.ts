// Simulates what a container's process does, from the catalog: exits, fails to start, or runs and listens.
import type { CatalogImage, Executable, LogLine, Server } from './catalog.js';
import { runShellScript, type ShellFlavor } from './mini-shell.js';
import { idleProcess, type ProcessOutcome } from './process-outcome.js';
import { parseQuantity } from './quantity.js';

export interface ProcessContext {
  image: CatalogImage;
  version: string;
  hostname: string;
}

/** A process still running after an hour counts as running for good. */
const FOREVER_SECONDS = 3600;
const RUNC_PREFIX =
  'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: ' +
  'unable to start container process: error during container init: ';

/** Finds an executable by absolute path or through the image's $PATH. */
export function resolveExecutable(
  image: CatalogImage,
  name: string,
): { path: string; exe: Executable } | undefined {
  if (name.includes('/')) {
    const exe = image.executables[name];
    return exe === undefined ? undefined : { path: name, exe };
  }
  for (const dir of image.path) {
    const path = `${dir}/${name}`;
    const exe = image.executables[path];
    if (exe !== undefined) return { path, exe };
  }
  return undefined;
}

/** The container's first process (PID 1): a missing executable is a runc start error. */
export function startProcess(
  ctx: ProcessContext,
  argv: string[],
  env: Record<string, string>,
): ProcessOutcome {
  const name = argv[0];
  if (name === undefined || name === '')
    return { kind: 'start-error', message: `${RUNC_PREFIX}no command specified: unknown` };
  const found = resolveExecutable(ctx.image, name);
  if (found === undefined) {
    const why = name.includes('/')
      ? `stat ${name}: no such file or directory`
      : 'executable file not found in $PATH';
    return { kind: 'start-error', message: `${RUNC_PREFIX}exec: "${name}": ${why}: unknown` };
  }
  return runProgram(ctx, found.path, found.exe, argv.slice(1), env, true);
}

/** Runs a found executable; `pid1` tells whether it receives the stop signal itself. */
export function runProgram(
  ctx: ProcessContext,
  path: string,
  exe: Executable,
  args: string[],
  env: Record<string, string>,
  pid1: boolean,
): ProcessOutcome {
  switch (exe.kind) {
    case 'server':
      return runServer(ctx, exe, args, env, pid1);
    case 'python':
      return runPython(ctx, path, exe.modules, args, env, pid1);
    case 'entrypoint': {
      const rest =
        args[0]?.startsWith('-') && exe.defaultProgram !== undefined ? [exe.defaultProgram, ...args] : args;
      if (rest.length === 0) return { kind: 'exits', exitCode: 0, seconds: 0.1, logs: exe.logs };
      const next = startProcess(ctx, rest, env);
      if (next.kind === 'start-error') {
        return {
          kind: 'exits',
          exitCode: 127,
          seconds: 0.1,
          logs: [...exe.logs, { stderr: `${path}: line 1: exec: ${rest[0]}: not found` }],
        };
      }
      return { ...next, logs: [...exe.logs, ...next.logs] };
    }
    case 'shell':
      return runShell(ctx, exe.flavor, args, env, pid1);
    case 'sleep': {
      const seconds = parseSleep(args[0]);
      if (seconds === undefined)
        return {
          kind: 'exits',
          exitCode: 1,
          seconds: 0,
          logs: [{ stderr: `sleep: invalid time interval '${args[0] ?? ''}'` }],
        };
      return seconds >= FOREVER_SECONDS ? idleProcess() : { kind: 'exits', exitCode: 0, seconds, logs: [] };
    }
    case 'tail':
      return args.some((a) => /^(-f|-F|--follow.*)$/.test(a))
        ? idleProcess()
        : { kind: 'exits', exitCode: 0, seconds: 0, logs: [] };
    case 'echo':
      return {
        kind: 'exits',
        exitCode: 0,
        seconds: 0,
        logs: [(args[0] === '-n' ? args.slice(1) : args).join(' ')],
      };
    case 'env':
      return {
        kind: 'exits',
        exitCode: 0,
        seconds: 0,
        logs: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      };
    case 'cat':
    case 'true':
      return { kind: 'exits', exitCode: 0, seconds: 0, logs: [] };
    case 'false':
      return { kind: 'exits', exitCode: 1, seconds: 0, logs: [] };
  }
}

function parseSleep(arg: string | undefined): number | undefined {
  if (arg === 'infinity' || arg === 'inf') return FOREVER_SECONDS;
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg ?? '');
  if (!m) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

function missingEnv(server: Server, env: Record<string, string>) {
  return server.requiredEnv.find((req) => {
    if ((env[req.name] ?? '') !== '') return false;
    const waived = req.unless !== undefined && Object.entries(req.unless).every(([k, v]) => env[k] === v);
    return !waived;
  });
}

function runServer(
  ctx: ProcessContext,
  server: Server,
  args: string[],
  env: Record<string, string>,
  pid1: boolean,
): ProcessOutcome {
  const ports = [...server.ports];
  const flagAt = server.portFlag === undefined ? -1 : args.indexOf(server.portFlag);
  const positional = server.portPositional ? args.find((a) => /^\d+$/.test(a)) : undefined;
  const moved =
    (flagAt >= 0 ? args[flagAt + 1] : undefined) ??
    positional ??
    (server.portEnv ? env[server.portEnv] : undefined);
  if (moved !== undefined && /^\d+$/.test(moved) && ports.length > 0) ports[0] = Number(moved);
  const port = ports[0] === undefined ? '' : String(ports[0]);
  const fill = (line: LogLine): LogLine => {
    const text = typeof line === 'string' ? line : line.stderr;
    const out = text
      .replaceAll('{{port}}', port)
      .replaceAll('{{version}}', ctx.version)
      .replaceAll('{{hostname}}', ctx.hostname);
    return typeof line === 'string' ? out : { stderr: out };
  };
  const missing = missingEnv(server, env);
  if (missing !== undefined)
    return { kind: 'exits', exitCode: missing.exitCode, seconds: 0.3, logs: missing.logs.map(fill) };
  return {
    kind: 'runs',
    logs: server.logs.map(fill),
    listeners: ports.map((p) => ({
      port: p,
      httpPaths: server.httpPaths,
      notHttp: server.notHttp,
      grpcHealth: server.grpcHealth,
    })),
    workingSetBytes: parseQuantity(server.workingSet),
    startupSeconds: server.startupSeconds,
    stopExitCode: pid1 ? server.stopExitCode : 137,
    stopLogs: server.stopLogs.map(fill),
  };
}

function runPython(
  ctx: ProcessContext,
  path: string,
  modules: Record<string, Server>,
  args: string[],
  env: Record<string, string>,
  pid1: boolean,
): ProcessOutcome {
  const rest = args.filter((a) => !/^-[uBOsSE]+$/.test(a));
  if (rest[0] === '-m') {
    const module = modules[rest[1] ?? ''];
    if (module === undefined)
      return {
        kind: 'exits',
        exitCode: 1,
        seconds: 0.1,
        logs: [{ stderr: `${path}: No module named ${rest[1] ?? ''}` }],
      };
    return runServer(ctx, module, rest.slice(2), env, pid1);
  }
  if (rest[0] === '-c') {
    const code = rest[1] ?? '';
    const prints = [...code.matchAll(/print\((['"])(.*?)\1\)/g)].map((m) => m[2]!);
    if (/while\s+True/.test(code)) return idleProcess(prints);
    const exit = /(?:sys\.)?exit\((\d+)\)/.exec(code);
    if (/\braise\b/.test(code))
      return {
        kind: 'exits',
        exitCode: 1,
        seconds: 0.1,
        logs: [
          ...prints,
          { stderr: 'Traceback (most recent call last):' },
          { stderr: '  File "<string>", line 1, in <module>' },
          { stderr: 'RuntimeError' },
        ],
      };
    return { kind: 'exits', exitCode: exit ? Number(exit[1]) : 0, seconds: 0.1, logs: prints };
  }
  if (rest[0] !== undefined) {
    const file = rest[0].startsWith('/') ? rest[0] : `/${rest[0]}`;
    return {
      kind: 'exits',
      exitCode: 2,
      seconds: 0.1,
      logs: [
        {
          stderr: `${path.split('/').pop()}: can't open file '${file}': [Errno 2] No such file or directory`,
        },
      ],
    };
  }
  // An interactive interpreter without a terminal reads EOF from stdin and exits at once.
  return { kind: 'exits', exitCode: 0, seconds: 0.1, logs: [] };
}

function runShell(
  ctx: ProcessContext,
  flavor: ShellFlavor,
  args: string[],
  env: Record<string, string>,
  pid1: boolean,
): ProcessOutcome {
  let errexit = false;
  let i = 0;
  let script: string | undefined;
  for (; i < args.length && args[i]!.startsWith('-'); i++) {
    const flags = args[i]!;
    if (flags.includes('e')) errexit = true;
    if (flags.includes('c')) {
      script = args[i + 1] ?? '';
      break;
    }
  }
  if (script === undefined) {
    const file = args[i];
    if (file === undefined) return { kind: 'exits', exitCode: 0, seconds: 0, logs: [] };
    const line = {
      dash: `sh: 0: cannot open ${file}: No such file`,
      busybox: `sh: can't open '${file}': No such file or directory`,
      bash: `bash: ${file}: No such file or directory`,
    }[flavor];
    return { kind: 'exits', exitCode: flavor === 'bash' ? 127 : 2, seconds: 0, logs: [{ stderr: line }] };
  }
  const result = runShellScript(script, {
    flavor,
    env,
    errexit,
    run: (argv, vars, exec) => {
      const found = resolveExecutable(ctx.image, argv[0]!);
      return found === undefined
        ? undefined
        : runProgram(ctx, found.path, found.exe, argv.slice(1), vars, exec && pid1);
    },
  });
  return result;
}
