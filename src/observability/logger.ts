// Structured JSON logs (pino) on stderr, so stdout stays free for `--json` output.
import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = 'info', bindings: Record<string, string> = {}): Logger {
  return pino(
    {
      level,
      base: { service: 'kube-autofix', ...bindings },
      // Defence in depth: the code never logs these, but a mistake must not leak them.
      redact: {
        paths: ['*.apiKey', '*.token', '*.password', '*.authorization', 'headers.authorization'],
        censor: '[REDACTED]',
      },
    },
    pino.destination({ dest: 2, sync: true }),
  );
}
