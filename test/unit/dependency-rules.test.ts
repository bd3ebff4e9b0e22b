// `npm run deps:check` keeps the workflow free of front ends: a workflow file importing slack/ or queue/ fails it.
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

  it(
    'fail when the product imports tools/, or the local Slack imports the product',
    { timeout: 120_000 },
    () => {
      const res = cruise({
        'src/cli/to-tools.ts': "import { x } from '../../tools/local-slack/thing.js';\nexport const y = x;\n",
        'tools/local-slack/thing.ts': "import { z } from '../../src/domain/thing.js';\nexport const x = z;\n",
        'src/domain/thing.ts': 'export const z = 1;\n',
      });
      expect(res.status).not.toBe(0);
      expect(res.out).toMatch(
        /product-not-into-tools: src\/cli\/to-tools\.ts → tools\/local-slack\/thing\.ts/,
      );
      expect(res.out).toMatch(
        /local-slack-independent-of-product: tools\/local-slack\/thing\.ts → src\/domain\/thing\.ts/,
      );
    },
  );
});
