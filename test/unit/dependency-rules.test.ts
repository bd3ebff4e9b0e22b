// `npm run deps:check` keeps the folder arrows: the workflow free of front ends, the worker free of the bot,
// Slack rendering free of the queue, the product free of the tools and the sandbox.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
let dir = '';

/** Runs the project's depcruise config over a tiny src/ tree written to a temp directory. */
function cruise(files: Record<string, string>): { status: number | null; out: string } {
  dir = mkdtempSync(join(tmpdir(), 'deps-'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext' } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const res = spawnSync(
    process.execPath,
    [
      join(repo, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
      'src',
      '--config',
      join(repo, '.dependency-cruiser.cjs'),
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  return { status: res.status, out: `${res.stdout}${res.stderr}` };
}

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('dependency rules', () => {
  it('fail when src/workflow imports src/slack or src/queue, and only then', { timeout: 120_000 }, () => {
    const res = cruise({
      'src/workflow/to-slack.ts': "import { x } from '../slack/thing.js';\nexport const y = x;\n",
      'src/workflow/to-queue.ts': "import { x } from '../queue/thing.js';\nexport const y = x;\n",
      'src/workflow/to-domain.ts': "import { x } from '../domain/thing.js';\nexport const y = x;\n",
      'src/slack/thing.ts': 'export const x = 1;\n',
      'src/queue/thing.ts': 'export const x = 1;\n',
      'src/domain/thing.ts': 'export const x = 1;\n',
    });
    expect(res.status).not.toBe(0);
    const violations = res.out.split('\n').filter((l) => l.includes('workflow-not-into-front-ends'));
    expect(violations.some((l) => l.includes('src/workflow/to-slack.ts'))).toBe(true);
    expect(violations.some((l) => l.includes('src/workflow/to-queue.ts'))).toBe(true);
    expect(res.out).not.toMatch(/to-domain\.ts →/);
  });

  it('fail when the product imports tools/, or a stand-in imports the product', { timeout: 120_000 }, () => {
    const res = cruise({
      'src/cli/to-tools.ts': "import { x } from '../../tools/stand-ins/thing.js';\nexport const y = x;\n",
      'tools/stand-ins/thing.ts': "import { z } from '../../src/domain/thing.js';\nexport const x = z;\n",
      'src/domain/thing.ts': 'export const z = 1;\n',
    });
    expect(res.status).not.toBe(0);
    expect(res.out).toMatch(/product-not-into-tools: src\/cli\/to-tools\.ts → tools\/stand-ins\/thing\.ts/);
    expect(res.out).toMatch(
      /stand-ins-independent-of-product: tools\/stand-ins\/thing\.ts → src\/domain\/thing\.ts/,
    );
  });

  it(
    'fail when the worker side imports the bot, or Slack rendering imports the queue or the bot',
    { timeout: 120_000 },
    () => {
      const res = cruise({
        'src/queue/to-bot.ts': "import { x } from '../bot/thing.js';\nexport const y = x;\n",
        'src/slack/to-queue.ts': "import { q } from '../queue/other.js';\nexport const y = q;\n",
        'src/slack/to-bot.ts': "import { x } from '../bot/thing.js';\nexport const y = x;\n",
        'src/bot/to-queue.ts': "import { q } from '../queue/other.js';\nexport const y = q;\n",
        'src/bot/thing.ts': 'export const x = 1;\n',
        'src/queue/other.ts': 'export const q = 1;\n',
      });
      expect(res.status).not.toBe(0);
      expect(res.out).toMatch(/queue-not-into-bot: src\/queue\/to-bot\.ts → src\/bot\/thing\.ts/);
      expect(res.out).toMatch(/slack-is-rendering: src\/slack\/to-queue\.ts → src\/queue\/other\.ts/);
      expect(res.out).toMatch(/slack-is-rendering: src\/slack\/to-bot\.ts → src\/bot\/thing\.ts/);
      // The bot sits above the queue: it may enqueue.
      expect(res.out).not.toMatch(/src\/bot\/to-queue\.ts →/);
    },
  );
});
