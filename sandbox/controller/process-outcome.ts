// What a simulated process does: fails to start, exits after a while, or keeps running and listening.
import type { LogLine } from './catalog.js';

export interface Listener {
  port: number;
  /** HTTP paths answered with 200; undefined when the port does not speak HTTP. */
  httpPaths?: string[];
  notHttp: string;
  grpcHealth: boolean;
}

export interface RunningProcess {
  kind: 'runs';
  logs: LogLine[];
  listeners: Listener[];
  workingSetBytes: number;
  startupSeconds: number;
  /** Exit code once stopped; PID 1 without a SIGTERM handler is killed after the grace period (137). */
  stopExitCode: number;
  stopLogs: LogLine[];
}

export interface ExitedProcess {
  kind: 'exits';
  exitCode: number;
  /** Seconds of (uncompressed) container time before the exit. */
  seconds: number;
  logs: LogLine[];
}

export type ProcessOutcome = { kind: 'start-error'; message: string } | ExitedProcess | RunningProcess;

export const SMALL_PROCESS_BYTES = 1024 * 1024;

/** A process that runs without listening (sleep infinity, tail -f, a shell loop). */
export function idleProcess(logs: LogLine[] = []): RunningProcess {
  return {
    kind: 'runs',
    logs,
    listeners: [],
    workingSetBytes: SMALL_PROCESS_BYTES,
    startupSeconds: 0,
    stopExitCode: 137,
    stopLogs: [],
  };
}
