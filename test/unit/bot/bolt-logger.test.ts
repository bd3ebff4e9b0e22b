// Bolt's log calls become pino lines; a line below the process's level is never built.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { boltLogger } from '../../../src/bot/bolt-logger.js';

function capture(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level }, sink) };
}

describe('boltLogger', () => {
  it('writes Bolt’s messages as one line each, under its component, at their level', () => {
    const { lines, logger } = capture('info');
    const log = boltLogger(logger);
    log.info('listening', { port: 3000 });
    log.warn(new Error('socket closed'));
    expect(lines.map((l) => [l.level, l.component, l.msg])).toEqual([
      [30, 'bolt', 'listening {"port":3000}'],
      [40, 'bolt', 'socket closed'],
    ]);
  });

  it('does not build a line below the level (no JSON of a body Bolt passes to debug)', () => {
    const { lines, logger } = capture('info');
    let serialised = 0;
    const body = {
      toJSON() {
        serialised += 1;
        return { big: true };
      },
    };
    boltLogger(logger).debug('http request body:', body);
    expect(serialised).toBe(0);
    expect(lines).toHaveLength(0);
  });

  it('builds and writes it when the level is on', () => {
    const { lines, logger } = capture('debug');
    boltLogger(logger).debug('body', { a: 1 });
    expect(lines.map((l) => l.msg)).toEqual(['body {"a":1}']);
  });
});
