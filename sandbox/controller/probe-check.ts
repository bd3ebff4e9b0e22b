// Decides whether a probe succeeds against a simulated process, with the kubelet's failure message.
import type { V1Container, V1Probe } from '@kubernetes/client-node';
import type { RunningProcess } from './process-outcome.js';

export type ProbeType = 'Readiness' | 'Liveness' | 'Startup';

export interface ProbePlan {
  type: ProbeType;
  ok: boolean;
  /** The Unhealthy event's message when the probe fails, e.g. `Readiness probe failed: HTTP probe failed with statuscode: 404`. */
  message: string;
  initialDelaySeconds: number;
  periodSeconds: number;
  failureThreshold: number;
}

/** Runs an exec probe's command inside the container; undefined when the executable is missing. */
export type ExecInContainer = (argv: string[]) => { exitCode: number; output: string } | 'runs' | undefined;

interface Target {
  podIP: string;
  process: RunningProcess;
  container: V1Container;
  exec: ExecInContainer;
}

/**
 * `killsDuringStartup`: this probe can kill the container while it starts (the startup probe, or liveness
 * when there is none). If the process needs longer than the probe's budget, nothing listens yet when it gives up.
 */
export function planProbe(
  type: ProbeType,
  probe: V1Probe,
  target: Target,
  killsDuringStartup = false,
): ProbePlan {
  const timing = {
    initialDelaySeconds: probe.initialDelaySeconds ?? 0,
    periodSeconds: probe.periodSeconds ?? 10,
    failureThreshold: probe.failureThreshold ?? 3,
  };
  const budget = timing.initialDelaySeconds + timing.failureThreshold * timing.periodSeconds;
  const stillStarting = killsDuringStartup && target.process.startupSeconds > budget;
  const result = check(probe, stillStarting ? { ...target, process: notListening(target.process) } : target);
  if (result.ok) return { type, ok: true, message: '', ...timing };
  const message = result.errored
    ? `${type} probe errored and resulted in unknown state: ${result.output}`
    : `${type} probe failed: ${result.output}`;
  return { type, ok: false, message, ...timing };
}

function notListening(process: RunningProcess): RunningProcess {
  return { ...process, listeners: [] };
}

type CheckResult = { ok: true } | { ok: false; output: string; errored?: boolean };

function check(probe: V1Probe, t: Target): CheckResult {
  if (probe.httpGet) {
    const port = resolvePort(probe.httpGet.port, t.container);
    if (typeof port === 'string') return { ok: false, output: port, errored: true };
    const host = probe.httpGet.host || t.podIP;
    const scheme = (probe.httpGet.scheme ?? 'HTTP').toLowerCase();
    const rawPath = probe.httpGet.path ?? '/';
    const path = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
    const url = `${scheme}://${host}:${port}${path}`;
    const listener = t.process.listeners.find((l) => l.port === port);
    if (listener === undefined)
      return { ok: false, output: `Get "${url}": dial tcp ${host}:${port}: connect: connection refused` };
    if (listener.httpPaths === undefined) return { ok: false, output: `Get "${url}": ${listener.notHttp}` };
    if (scheme === 'https')
      return { ok: false, output: `Get "${url}": http: server gave HTTP response to HTTPS client` };
    const bare = path.split('?')[0]!;
    return listener.httpPaths.includes(bare)
      ? { ok: true }
      : { ok: false, output: 'HTTP probe failed with statuscode: 404' };
  }
  if (probe.tcpSocket) {
    const port = resolvePort(probe.tcpSocket.port, t.container);
    if (typeof port === 'string') return { ok: false, output: port, errored: true };
    const host = probe.tcpSocket.host || t.podIP;
    const listening = t.process.listeners.some((l) => l.port === port);
    return listening
      ? { ok: true }
      : { ok: false, output: `dial tcp ${host}:${port}: connect: connection refused` };
  }
  if (probe.grpc) {
    const addr = `${t.podIP}:${probe.grpc.port}`;
    const listener = t.process.listeners.find((l) => l.port === probe.grpc!.port);
    if (listener === undefined) {
      return {
        ok: false,
        output: `error: health rpc probe failed: rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial tcp ${addr}: connect: connection refused"`,
      };
    }
    if (!listener.grpcHealth) {
      return {
        ok: false,
        output:
          'error: this server does not implement the grpc health protocol (grpc.health.v1.Health): unknown service grpc.health.v1.Health',
      };
    }
    return { ok: true };
  }
  if (probe.exec) {
    const argv = probe.exec.command ?? [];
    const out = t.exec(argv);
    if (out === undefined) {
      return {
        ok: false,
        errored: true,
        output:
          'rpc error: code = Unknown desc = failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: ' +
          `unable to start container process: exec: "${argv[0] ?? ''}": executable file not found in $PATH: unknown`,
      };
    }
    if (out === 'runs')
      return {
        ok: false,
        output: `command timed out: "${argv.join(' ')}" timed out after ${probe.timeoutSeconds ?? 1}s`,
      };
    return out.exitCode === 0 ? { ok: true } : { ok: false, output: out.output };
  }
  return { ok: true };
}

/** A probe port: a number, a named container port, or an error text as the kubelet reports it. */
function resolvePort(port: number | string | undefined, container: V1Container): number | string {
  if (typeof port === 'number') return port;
  const named = container.ports?.find((p) => p.name === port);
  if (named) return named.containerPort;
  if (port !== undefined && /^\d+$/.test(port)) return Number(port);
  return `strconv.Atoi: parsing "${port ?? ''}": invalid syntax`;
}
