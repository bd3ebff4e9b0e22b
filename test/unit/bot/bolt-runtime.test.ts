// The bot takes Bolt's App, HTTP receiver and log levels from their own modules: the same classes Bolt's index
// exports, without loading Express or the other receivers (what the deep imports are for).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import * as bolt from '@slack/bolt';
import * as webApi from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { App, HTTPReceiver, LogLevel } from '../../../src/bot/bolt-runtime.js';

const repo = resolve(import.meta.dirname, '../../..');

/** Packages under node_modules a fresh Node process holds after importing `module` (run under tsx). */
function packagesLoadedBy(module: string): string[] {
  const script = `
    import { createRequire } from 'node:module';
    await import(${JSON.stringify(module)});
    const held = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify([...new Set(held.map((f) => /node_modules\\/((@[^/]+\\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean))]));`;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repo,
    encoding: 'utf8',
  });
  expect(res.status, res.stderr).toBe(0);
  return JSON.parse(res.stdout.trim().split('\n').pop() ?? '[]') as string[];
}

describe('bolt-runtime', () => {
  it('is Bolt’s own App, HTTPReceiver and LogLevel', () => {
    expect(App).toBe(bolt.App);
    expect(HTTPReceiver).toBe(bolt.HTTPReceiver);
    expect(LogLevel).toBe(bolt.LogLevel);
    expect(LogLevel.INFO).toBe('info');
  });

  it('shares one Web API client with Bolt (its error classes are the ones the poster tests against)', () => {
    expect(webApi.WebClient).toBe(bolt.webApi.WebClient);
    expect(webApi.WebAPIPlatformError).toBe(bolt.webApi.WebAPIPlatformError);
  });

  it('keeps Express out of the bot, while Bolt’s index would load it', { timeout: 60_000 }, () => {
    const bot = packagesLoadedBy(resolve(repo, 'src/cli/run-bot.ts'));
    expect(bot).toContain('@slack/bolt');
    expect(bot).not.toContain('express');
    expect(packagesLoadedBy('@slack/bolt')).toContain('express');
  });
});
