// CRI log lines, program timestamps and Go duration formatting used in logs and kubelet messages.
import { describe, expect, it } from 'vitest';
import { goDuration } from './go-duration.js';
import { criLine, renderTime } from './log-writer.js';
import { parseQuantity } from './quantity.js';

const at = new Date('2026-11-28T03:04:05.678Z');

describe('log formats', () => {
  it('writes CRI lines with nanosecond timestamps and the stream', () => {
    expect(criLine('ready', at)).toBe('2026-11-28T03:04:05.678000000Z stdout F ready\n');
    expect(criLine({ stderr: 'boom' }, at)).toBe('2026-11-28T03:04:05.678000000Z stderr F boom\n');
  });

  it('renders the time formats programs print', () => {
    expect(renderTime('{{time:nginx}} [notice]', at)).toBe('2026/11/28 03:04:05 [notice]');
    expect(renderTime('1:M {{time:redis}} *', at)).toBe('1:M 28 Nov 2026 03:04:05.678 *');
    expect(renderTime('{{time:postgres}} [1] LOG:', at)).toBe('2026-11-28 03:04:05.678 UTC [1] LOG:');
    expect(renderTime('{{time:iso}} {{time:unknown}}', at)).toBe('2026-11-28T03:04:05.678Z {{time:unknown}}');
  });

  it('formats durations like Go', () => {
    expect([10_000, 20_000, 40_000, 80_000, 160_000, 300_000].map(goDuration)).toEqual([
      '10s',
      '20s',
      '40s',
      '1m20s',
      '2m40s',
      '5m0s',
    ]);
    expect(goDuration(812)).toBe('812ms');
    expect(goDuration(1503)).toBe('1.503s');
  });

  it('parses Kubernetes quantities', () => {
    expect(parseQuantity('64Mi')).toBe(64 * 2 ** 20);
    expect(parseQuantity('1Gi')).toBe(2 ** 30);
    expect(parseQuantity('500M')).toBe(5e8);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(() => parseQuantity('lots')).toThrow(/invalid quantity/);
  });
});
