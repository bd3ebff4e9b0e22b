// A tiny POSIX-shell interpreter for `sh -c` scripts: enough to tell whether a script exits, loops or execs a server.
import type { LogLine } from './catalog.js';
import { idleProcess, type ProcessOutcome, type RunningProcess } from './process-outcome.js';
import { parseScript, type AndOr, type Command, type Part, type Simple } from './shell-parser.js';

export type ShellFlavor = 'dash' | 'bash' | 'busybox';
export interface ShellOptions {
  flavor: ShellFlavor;
  env: Record<string, string>;
  errexit: boolean;
  /** Runs an external program; undefined when the image has no such executable. */
  run(argv: string[], env: Record<string, string>, exec: boolean): ProcessOutcome | undefined;
}

/** Thrown to end the script: `exit`, `exec`, or a command that never returns. */
class Halt {
  constructor(readonly outcome: ProcessOutcome) {}
}

const NO_OPS = new Set([':', 'true', 'cd', 'trap', 'source', '.', 'ulimit', 'umask', 'kill', 'unset']);

/** Runs a script; the result is how the shell (PID 1) ends: it exits, or it keeps running. */
export function runShellScript(script: string, opts: ShellOptions): ProcessOutcome {
  const shell = new Shell(opts);
  try {
    const status = shell.list(parseScript(script), true);
    return shell.exited(status);
  } catch (e) {
    if (e instanceof Halt) return e.outcome;
    throw e;
  }
}

class Shell {
  private readonly env: Record<string, string>;
  private readonly logs: LogLine[] = [];
  private readonly background: RunningProcess[] = [];
  private seconds = 0;
  private status = 0;
  private errexit: boolean;

  constructor(private readonly opts: ShellOptions) {
    this.env = { ...opts.env };
    this.errexit = opts.errexit;
  }

  exited(exitCode: number, extra: LogLine[] = [], seconds = 0): ProcessOutcome {
    return { kind: 'exits', exitCode, seconds: this.seconds + seconds, logs: [...this.logs, ...extra] };
  }

  list(items: AndOr[], checked: boolean): number {
    for (const item of items) {
      let status = this.pipeline(item.first, item.background);
      for (const next of item.rest) {
        if ((status === 0) === (next.op === '&&')) status = this.pipeline(next.pipeline, false);
      }
      this.status = status;
      if (checked && this.errexit && status !== 0 && item.rest.length === 0)
        throw new Halt(this.exited(status));
    }
    return this.status;
  }

  private pipeline(commands: Command[], background: boolean): number {
    return commands.map((c) => this.command(c, background)).at(-1) ?? 0;
  }

  private command(cmd: Command, background: boolean): number {
    switch (cmd.kind) {
      case 'simple':
        return this.simple(cmd, background);
      case 'group':
        return this.list(cmd.body, true);
      case 'if': {
        for (const b of cmd.branches) if (this.list(b.cond, false) === 0) return this.list(b.body, true);
        return this.list(cmd.otherwise, true);
      }
      case 'for': {
        let status = 0;
        for (const item of cmd.items.map((w) => this.expand(w))) {
          this.env[cmd.name] = item;
          status = this.list(cmd.body, true);
        }
        return status;
      }
      case 'loop':
        // Three passes show what the loop prints; a loop still going after that runs for ever.
        for (let pass = 0; pass < 3; pass++) {
          if ((this.list(cmd.cond, false) === 0) === cmd.until) return 0;
          this.list(cmd.body, true);
        }
        return this.runForever(idleProcess(), false);
    }
  }

  private simple(cmd: Simple, background: boolean): number {
    const words = cmd.words.map((w) => this.expand(w));
    while (
      words.length > 0 &&
      /^\w+=/.test(words[0]!) &&
      cmd.words[0]!.every((p) => p.quote === 'none' || !p.text.includes('='))
    ) {
      const [k, ...v] = words.shift()!.split('=');
      this.env[k!] = v.join('=');
    }
    const [name, ...args] = words;
    if (name === undefined || NO_OPS.has(name)) return 0;
    const builtin = this.builtin(cmd, name, args);
    if (builtin !== undefined) return builtin;
    const out = this.opts.run(words, this.env, false);
    if (out === undefined) {
      this.emit(cmd, [{ stderr: this.notFound(name, cmd.line, false) }]);
      return 127;
    }
    if (out.kind === 'start-error') return 126;
    if (out.kind === 'exits') {
      this.emit(cmd, out.logs);
      this.seconds += out.seconds;
      return out.exitCode;
    }
    if (!background) return this.runForever(out, false);
    this.background.push(out);
    this.logs.push(...out.logs);
    return 0;
  }

  /** The status of a builtin, or undefined when `name` is not one. */
  private builtin(cmd: Simple, name: string, args: string[]): number | undefined {
    switch (name) {
      case 'false':
      case 'read':
        return 1;
      case 'echo':
        this.emit(cmd, [(args[0] === '-n' || args[0] === '-e' ? args.slice(1) : args).join(' ')]);
        return 0;
      case 'printf': {
        const text = (args[0] ?? '').replace(/%s/g, () => args.splice(1, 1)[0] ?? '');
        this.emit(cmd, text.replace(/\\n$/, '').split('\\n'));
        return 0;
      }
      case 'set':
        if (args.some((a) => /^-\w*e/.test(a))) this.errexit = true;
        return 0;
      case 'export':
        for (const [k, ...v] of args.map((a) => a.split('='))) if (v.length > 0) this.env[k!] = v.join('=');
        return 0;
      case 'exit':
        throw new Halt(this.exited(args[0] === undefined ? this.status : Number(args[0]) & 255));
      case 'wait':
        return this.background.length > 0 ? this.runForever(idleProcess(), false) : 0;
      case 'test':
      case '[':
        return testExpr(name === '[' ? args.slice(0, -1) : args) ? 0 : 1;
      case 'exec':
        return args.length === 0 ? 0 : this.exec(cmd, args);
      default:
        return undefined;
    }
  }

  private exec(cmd: Simple, argv: string[]): never {
    const out = this.opts.run(argv, this.env, true);
    if (out === undefined) {
      this.emit(cmd, [{ stderr: this.notFound(argv[0]!, cmd.line, true) }]);
      throw new Halt(this.exited(127));
    }
    if (out.kind === 'runs') return this.runForever(out, true);
    throw new Halt(out.kind === 'exits' ? this.exited(out.exitCode, out.logs, out.seconds) : out);
  }

  /** The script blocks here for good; as PID 1 only an exec'd program handles the stop signal itself. */
  private runForever(p: RunningProcess, exec: boolean): never {
    throw new Halt({
      ...p,
      logs: [...this.logs, ...p.logs],
      listeners: [...p.listeners, ...this.background.flatMap((b) => b.listeners)],
      workingSetBytes: p.workingSetBytes + this.background.reduce((n, b) => n + b.workingSetBytes, 0),
      stopExitCode: exec ? p.stopExitCode : 137,
    });
  }

  private expand(parts: Part[]): string {
    const variable = /\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+|\?|\$)|\$\([^)]*\)/g;
    const value = (_m: string, braced?: string, fallback?: string, bare?: string): string => {
      const name = braced ?? bare;
      if (name === '?') return String(this.status);
      if (name === '$') return '1';
      return name === undefined ? '' : this.env[name] || (fallback ?? '');
    };
    return parts.map((p) => (p.quote === 'single' ? p.text : p.text.replace(variable, value))).join('');
  }

  private emit(cmd: Simple, lines: LogLine[]): void {
    for (const l of lines) {
      if (typeof l !== 'string') {
        if (cmd.stderr === 'keep') this.logs.push(l);
      } else if (cmd.stdout === 'keep') this.logs.push(l);
      else if (cmd.stdout === 'stderr') this.logs.push({ stderr: l });
    }
  }

  private notFound(name: string, line: number, viaExec: boolean): string {
    const exec = viaExec ? 'exec: ' : '';
    switch (this.opts.flavor) {
      case 'dash':
        return `sh: ${line}: ${exec}${name}: not found`;
      case 'bash':
        return `bash: line ${line}: ${exec}${name}: ${viaExec ? 'not found' : 'command not found'}`;
      case 'busybox':
        return `sh: ${viaExec ? 'exec: line 1: ' : ''}${name}: not found`;
    }
  }
}

/** `test` / `[`: string and integer comparisons; file tests pass (the image's files are not modelled). */
function testExpr(args: string[]): boolean {
  if (args[0] === '!') return !testExpr(args.slice(1));
  const [a, op, b] = args;
  if (args.length === 1) return (a ?? '') !== '';
  if (args.length === 2) return a === '-z' ? (op ?? '') === '' : a === '-n' ? (op ?? '') !== '' : true;
  const compare: Record<string, () => boolean> = {
    '=': () => a === b,
    '==': () => a === b,
    '!=': () => a !== b,
    '-eq': () => Number(a) === Number(b),
    '-ne': () => Number(a) !== Number(b),
    '-gt': () => Number(a) > Number(b),
    '-lt': () => Number(a) < Number(b),
  };
  return compare[op ?? '']?.() ?? true;
}
