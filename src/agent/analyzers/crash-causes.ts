// Why a container keeps exiting: runtime start errors from its status, then patterns in its log tail.
import type { Signal } from './make-finding.js';

export type CrashCause =
  'command_not_found' | 'missing_env' | 'start_error' | 'dependency_unreachable' | 'app_error' | 'unknown';

export interface CrashCauseResult {
  cause: CrashCause;
  signal: Signal;
  envVar: string | null;
  command: string | null;
  endpoint: string | null;
  /** The status message or log line the cause was read from. */
  quote: string | null;
}

export interface TerminationInfo {
  reason: string | null;
  message: string | null;
  exitCode: number | null;
}

// Runtime start failures: containerd's StartError / RunContainerError, Docker's ContainerCannotRun.
const START_ERRORS = new Set(['StartError', 'ContainerCannotRun', 'RunContainerError']);
const EXEC_IN_STATUS =
  /exec: "([^"]+)": (?:executable file not found in \$PATH|stat [^:]*: no such file or directory|permission denied)/;

const MISSING_ENV: RegExp[] = [
  /environment variable\s+["'`]?([A-Za-z_][A-Za-z0-9_]*)["'`]?\s+(?:is\s+)?(?:not set|missing|required|undefined|empty)/i,
  /\b([A-Z][A-Z0-9_]{2,})\s+(?:must be set|must be specified|is not set|is required|is missing|is undefined|not set)\b/,
  /(?:missing|required|unset|undefined)\s+(?:required\s+)?env(?:ironment)?(?:\s+var(?:iable)?)?s?[:\s]+["'`]?([A-Z_][A-Z0-9_]*)/i,
  /You must specify\s+([A-Z_][A-Z0-9_]*)/,
  /KeyError:\s+'([A-Z_][A-Z0-9_]*)'/,
];
const EXEC_IN_LOGS: RegExp[] = [
  /exec:? "?([^":\s]+)"?: (?:executable file not found|no such file or directory)/,
  // bash `line 1:`, dash `sh: 1:`, busybox `sh:`
  /(?:sh|bash|ash|dash)(?:: line \d+|: \d+| ?\d*)?: ([^:\s]+): (?:command )?not found/,
];
const UNREACHABLE: RegExp[] = [
  /ECONNREFUSED ([\w.-]+:\d+)/,
  /dial tcp ([\w.-]+:\d+): connect: connection refused/,
  /could not connect to server[^"]*"([\w.-]+)"/i,
  /getaddrinfo (?:ENOTFOUND|EAI_AGAIN) ([\w.-]+)/,
  /dial tcp: lookup ([\w.-]+)[^:]*: no such host/,
];
/** The host[:port] a log line says could not be reached (connection refused, no such host), or null. */
export function unreachableEndpoint(line: string): string | null {
  for (const re of UNREACHABLE) {
    const m = re.exec(line);
    if (m?.[1]) return m[1];
  }
  return null;
}

const ERROR_LINE = /\b(error|exception|panic|fatal|traceback|failed)\b/i;

function firstMatch(lines: string[], patterns: RegExp[]): { value: string; line: string } | null {
  for (const line of lines) {
    for (const re of patterns) {
      const m = re.exec(line);
      if (m?.[1]) return { value: m[1], line: line.trim() };
    }
  }
  return null;
}

const none = { envVar: null, command: null, endpoint: null };

function fromStatus(term: TerminationInfo, waitingMessage: string | null): CrashCauseResult | null {
  const execMessage = [term.message, waitingMessage].find((m) => m && EXEC_IN_STATUS.test(m));
  if (execMessage) {
    const command = EXEC_IN_STATUS.exec(execMessage)?.[1] ?? null;
    return { ...none, cause: 'command_not_found', signal: 'explicit', command, quote: execMessage };
  }
  if (START_ERRORS.has(term.reason ?? '')) {
    return { ...none, cause: 'start_error', signal: 'explicit', quote: term.message ?? term.reason };
  }
  return null;
}

function fromLogs(lines: string[]): CrashCauseResult | null {
  const env = firstMatch(lines, MISSING_ENV);
  if (env) return { ...none, cause: 'missing_env', signal: 'heuristic', envVar: env.value, quote: env.line };
  const exec = firstMatch(lines, EXEC_IN_LOGS);
  if (exec)
    return {
      ...none,
      cause: 'command_not_found',
      signal: 'heuristic',
      command: exec.value,
      quote: exec.line,
    };
  const dep = firstMatch(lines, UNREACHABLE);
  if (dep)
    return {
      ...none,
      cause: 'dependency_unreachable',
      signal: 'heuristic',
      endpoint: dep.value,
      quote: dep.line,
    };
  // The last error-looking line is usually the one the process died on.
  const errorLine = [...lines].reverse().find((l) => ERROR_LINE.test(l));
  if (errorLine) return { ...none, cause: 'app_error', signal: 'heuristic', quote: errorLine.trim() };
  return null;
}

export function classifyCrash(
  term: TerminationInfo,
  waitingMessage: string | null,
  lines: string[],
): CrashCauseResult {
  const found = fromStatus(term, waitingMessage) ?? fromLogs(lines);
  if (found) return found;
  // 127 is the shell's "command not found"; without a message it is only an inference.
  if (term.exitCode === 127) return { ...none, cause: 'command_not_found', signal: 'inferred', quote: null };
  return { ...none, cause: 'unknown', signal: 'heuristic', quote: null };
}
