// The `sh -c` interpreter tells exits, loops and exec'd servers apart, in each shell's words.
import { describe, expect, it } from 'vitest';
import { runShellScript, type ShellFlavor } from './mini-shell.js';
import { idleProcess, type ProcessOutcome } from './process-outcome.js';

const server: ProcessOutcome = {
  ...idleProcess(['listening on :80']),
  listeners: [{ port: 80, httpPaths: ['/'], notHttp: 'EOF', grpcHealth: false }],
  stopExitCode: 0,
};
const programs: Record<string, (args: string[]) => ProcessOutcome> = {
  sleep: (args) =>
    args[0] === 'infinity'
      ? idleProcess()
      : { kind: 'exits', exitCode: 0, seconds: Number(args[0]), logs: [] },
  nginx: () => server,
  cat: () => ({ kind: 'exits', exitCode: 0, seconds: 0, logs: [] }),
};
const logs = (o: ProcessOutcome) => (o.kind === 'start-error' ? [] : o.logs);
const sh = (script: string, flavor: ShellFlavor = 'busybox', env: Record<string, string> = {}) =>
  runShellScript(script, { flavor, env, errexit: false, run: (argv) => programs[argv[0]!]?.(argv.slice(1)) });

describe('runShellScript', () => {
  it('ends with the last status, or exit N', () => {
    expect(sh('echo a; echo b')).toEqual({ kind: 'exits', exitCode: 0, seconds: 0, logs: ['a', 'b'] });
    expect(sh('echo starting && sleep 5 && exit 3')).toEqual({
      kind: 'exits',
      exitCode: 3,
      seconds: 5,
      logs: ['starting'],
    });
    expect(sh('false')).toMatchObject({ exitCode: 1 });
    expect(sh('false || echo recovered')).toMatchObject({ exitCode: 0, logs: ['recovered'] });
    expect(sh('set -e; false; echo unreachable')).toMatchObject({ exitCode: 1, logs: [] });
  });

  it('keeps running in endless loops and blocking programs', () => {
    expect(sh('while true; do echo tick; sleep 5; done')).toMatchObject({
      kind: 'runs',
      logs: ['tick', 'tick', 'tick'],
    });
    expect(sh('until false; do sleep 1; done')).toMatchObject({ kind: 'runs' });
    expect(sh('sleep infinity')).toMatchObject({ kind: 'runs', stopExitCode: 137 });
  });

  it("hands PID 1 to an exec'd server (its stop code), not to one run as a child", () => {
    expect(sh('echo boot; exec nginx -g "daemon off;"')).toMatchObject({
      kind: 'runs',
      logs: ['boot', 'listening on :80'],
      stopExitCode: 0,
      listeners: [{ port: 80 }],
    });
    expect(sh('nginx -g "daemon off;"')).toMatchObject({ kind: 'runs', stopExitCode: 137 });
  });

  it('reports unknown commands as each shell does', () => {
    expect(sh('foo', 'busybox')).toEqual({
      kind: 'exits',
      exitCode: 127,
      seconds: 0,
      logs: [{ stderr: 'sh: foo: not found' }],
    });
    expect(logs(sh('echo hi\nfoo', 'dash'))).toEqual(['hi', { stderr: 'sh: 2: foo: not found' }]);
    expect(logs(sh('foo', 'bash'))).toEqual([{ stderr: 'bash: line 1: foo: command not found' }]);
    expect(sh('exec foo', 'dash')).toMatchObject({
      exitCode: 127,
      logs: [{ stderr: 'sh: 1: exec: foo: not found' }],
    });
  });

  it('expands variables, quotes, if and for', () => {
    expect(
      logs(sh('echo "hello $NAME" \'$NAME\' ${MISSING:-default}', 'busybox', { NAME: 'world' })),
    ).toEqual(['hello world $NAME default']);
    expect(
      sh('if [ -z "$DATABASE_URL" ]; then echo "DATABASE_URL is required" >&2; exit 1; fi; exec nginx'),
    ).toMatchObject({
      kind: 'exits',
      exitCode: 1,
      logs: [{ stderr: 'DATABASE_URL is required' }],
    });
    expect(logs(sh('for i in 1 2; do echo "n=$i"; done'))).toEqual(['n=1', 'n=2']);
    expect(logs(sh('echo hidden > /tmp/out; echo shown'))).toEqual(['shown']);
  });
});
