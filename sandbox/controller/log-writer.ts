// Writes containers' CRI-format log files and the KWOK `Logs` object that serves them to `kubectl logs`.
import { mkdirSync, renameSync, rmSync, appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PatchStrategy, setHeaderOptions, type CustomObjectsApi } from '@kubernetes/client-node';
import type { LogLine } from './catalog.js';
import type { Logger } from './logger.js';

export interface LogPod {
  name: string;
  namespace: string;
  uid: string;
}

export interface LogWriter {
  /** A new container instance: the current log becomes the previous one, the lines start the new one. */
  startInstance(pod: LogPod, container: string, lines: LogLine[]): Promise<void>;
  append(pod: LogPod, container: string, lines: LogLine[]): void;
  removePod(pod: LogPod): void;
}

const GROUP = 'kwok.x-k8s.io';
const VERSION = 'v1alpha1';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Fills `{{time:…}}` placeholders in the formats the programs print. */
export function renderTime(text: string, at: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const [Y, M, D, h, m, s, ms] = [
    at.getUTCFullYear(),
    at.getUTCMonth(),
    at.getUTCDate(),
    at.getUTCHours(),
    at.getUTCMinutes(),
    at.getUTCSeconds(),
    at.getUTCMilliseconds(),
  ];
  const clock = `${p(h)}:${p(m)}:${p(s)}`;
  const formats: Record<string, string> = {
    iso: at.toISOString(),
    nginx: `${Y}/${p(M + 1)}/${p(D)} ${clock}`,
    redis: `${p(D)} ${MONTHS[M]} ${Y} ${clock}.${p(ms, 3)}`,
    postgres: `${Y}-${p(M + 1)}-${p(D)} ${clock}.${p(ms, 3)} UTC`,
    clf: `${p(D)}/${MONTHS[M]}/${Y}:${clock} +0000`,
    python: `${p(D)}/${MONTHS[M]}/${Y} ${clock}`,
    epoch: String(Math.floor(at.getTime() / 1000)),
  };
  return text.replace(/\{\{time:(\w+)\}\}/g, (whole, f: string) => formats[f] ?? whole);
}

/** One CRI log line: `2026-11-28T03:00:00.123000000Z stdout F text`. */
export function criLine(line: LogLine, at: Date): string {
  const stream = typeof line === 'string' ? 'stdout' : 'stderr';
  const text = renderTime(typeof line === 'string' ? line : line.stderr, at);
  return `${at.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z')} ${stream} F ${text}\n`;
}

export function createLogWriter(stateDir: string, custom: CustomObjectsApi, log: Logger): LogWriter {
  const podDir = (pod: LogPod) => join(stateDir, 'logs', 'pods', `${pod.namespace}_${pod.name}_${pod.uid}`);
  const files = (pod: LogPod, container: string) => {
    const dir = join(podDir(pod), container);
    return { dir, current: join(dir, 'current.log'), previous: join(dir, 'previous.log') };
  };
  const lines = (ls: LogLine[]) => {
    const start = Date.now();
    return ls.map((l, i) => criLine(l, new Date(start + i))).join('');
  };
  /** Known containers of each pod, to rebuild the Logs object's spec when one gains a previous log. */
  const containers = new Map<string, Set<string>>();
  const syncs = new Map<string, Promise<void>>();

  const syncLogsObject = async (pod: LogPod): Promise<void> => {
    const names = [...(containers.get(pod.uid) ?? [])].sort();
    const spec = {
      logs: names.map((c) => {
        const f = files(pod, c);
        return {
          containers: [c],
          logsFile: f.current,
          ...(existsSync(f.previous) ? { previousLogsFile: f.previous } : {}),
          follow: false,
        };
      }),
    };
    try {
      await custom.patchNamespacedCustomObject(
        {
          group: GROUP,
          version: VERSION,
          namespace: pod.namespace,
          plural: 'logs',
          name: pod.name,
          body: { spec },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
      await custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: pod.namespace,
        plural: 'logs',
        body: {
          apiVersion: `${GROUP}/${VERSION}`,
          kind: 'Logs',
          metadata: {
            name: pod.name,
            namespace: pod.namespace,
            ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid }],
          },
          spec,
        },
      });
    }
  };

  return {
    async startInstance(pod, container, ls) {
      const f = files(pod, container);
      mkdirSync(f.dir, { recursive: true });
      const known = containers.get(pod.uid) ?? new Set<string>();
      containers.set(pod.uid, known);
      const hadPrevious = existsSync(f.previous);
      const rotated = existsSync(f.current);
      if (rotated) renameSync(f.current, f.previous);
      writeFileSync(f.current, lines(ls));
      if (!known.has(container) || (rotated && !hadPrevious)) {
        known.add(container);
        // One write at a time per pod: containers starting together must not both try to create it.
        const write = (syncs.get(pod.uid) ?? Promise.resolve()).then(() =>
          syncLogsObject(pod).catch((err: unknown) =>
            log.warn('Logs object not written', { pod: `${pod.namespace}/${pod.name}`, error: String(err) }),
          ),
        );
        syncs.set(pod.uid, write);
        await write;
      }
    },
    append(pod, container, ls) {
      const f = files(pod, container);
      if (existsSync(f.dir)) appendFileSync(f.current, lines(ls));
    },
    removePod(pod) {
      containers.delete(pod.uid);
      syncs.delete(pod.uid);
      rmSync(podDir(pod), { recursive: true, force: true });
    },
  };
}
