// Bolt's logger interface on top of pino, so Bolt's own messages are structured JSON on stderr too.
import type { Logger as BoltLogger } from '@slack/bolt';
import { LogLevel } from './bolt-runtime.js';
import type { Logger } from '../observability/logger.js';

const text = (msg: unknown[]): string =>
  msg.map((m) => (m instanceof Error ? m.message : typeof m === 'string' ? m : JSON.stringify(m))).join(' ');

export function boltLogger(logger: Logger): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  let log = logger.child({ component: 'bolt' });
  // The line is built only at a level that is written: Bolt calls debug() several times per request.
  const at =
    (name: 'debug' | 'info' | 'warn' | 'error') =>
    (...msg: unknown[]): void => {
      if (log.isLevelEnabled(name)) log[name](text(msg));
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    // The process's LOG_LEVEL governs; Bolt's own level is only remembered for getLevel().
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (name: string) => {
      log = logger.child({ component: name });
    },
  };
}
