// manifest.yml and manifest.socket-mode.yml: valid Slack app manifests (v1 schema constraints), one app in two transports.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const httpUrl = z
  .string()
  .regex(/^https?:\/\//)
  .max(3000);
// The parts of Slack's manifest schema 1.0.0 (slackapi/manifest-schema) this manifest uses, closed like the schema.
const Manifest = z.strictObject({
  _metadata: z.strictObject({ major_version: z.literal(1), minor_version: z.number().int() }),
  display_information: z.strictObject({
    name: z.string().min(1).max(35),
    description: z.string().min(1).max(140),
    background_color: z.string().regex(/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/),
  }),
  features: z.strictObject({
    bot_user: z.strictObject({ display_name: z.string().min(1).max(80), always_online: z.boolean() }),
    slash_commands: z
      .array(
        z.strictObject({
          command: z.string().min(2).max(32).startsWith('/'),
          url: httpUrl.optional(),
          description: z.string().min(1).max(2000),
          usage_hint: z.string().min(1).max(1000),
          should_escape: z.boolean(),
        }),
      )
      .min(1),
  }),
  oauth_config: z.strictObject({ scopes: z.strictObject({ bot: z.array(z.string().max(50)) }) }),
  settings: z.strictObject({
    interactivity: z.strictObject({ is_enabled: z.boolean(), request_url: httpUrl.optional() }),
    org_deploy_enabled: z.boolean(),
    socket_mode_enabled: z.boolean(),
    token_rotation_enabled: z.boolean(),
  }),
});

const read = (file: string) => {
  const text = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
  return { text, manifest: Manifest.parse(parse(text)) };
};
const { text, manifest } = read('manifest.yml');
const socket = read('manifest.socket-mode.yml');

describe('manifest.yml', () => {
  it('registers /autofix and interactivity on the bot endpoint', () => {
    expect(manifest.features.slash_commands).toEqual([
      expect.objectContaining({ command: '/autofix', url: 'https://YOUR-HOST/slack/events' }),
    ]);
    expect(manifest.settings.interactivity).toEqual({
      is_enabled: true,
      request_url: 'https://YOUR-HOST/slack/events',
    });
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('asks for exactly the scopes the bot needs', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([
      'chat:write',
      'chat:write.public',
      'commands',
      'usergroups:read',
    ]);
  });

  it('names the scopes AUTOFIX_IDENTITY_EMAIL needs, left out unless it is on', () => {
    for (const m of [text, socket.text]) {
      expect(m).toMatch(/AUTOFIX_IDENTITY_EMAIL=true/);
      expect(m).toMatch(/^ {6}# - users:read$/m);
      expect(m).toMatch(/^ {6}# - users:read\.email$/m);
    }
  });

  it('points at the Socket Mode manifest', () => {
    expect(text).toMatch(/manifest\.socket-mode\.yml/);
    expect(text).toMatch(/SLACK_APP_TOKEN/);
    expect(text).toMatch(/connections:write/);
  });
});

describe('manifest.socket-mode.yml', () => {
  it('is the same app with Socket Mode on and no request URLs', () => {
    const m = socket.manifest;
    expect(m.settings.socket_mode_enabled).toBe(true);
    expect(m.settings.interactivity).toEqual({ is_enabled: true });
    expect(m.features.slash_commands.map((c) => c.url)).toEqual([undefined]);
    // Everything but the transport is identical to manifest.yml.
    const strip = (x: typeof m) => ({
      ...x,
      features: { ...x.features, slash_commands: x.features.slash_commands.map(({ url: _url, ...c }) => c) },
      settings: { ...x.settings, interactivity: undefined, socket_mode_enabled: undefined },
    });
    expect(strip(m)).toEqual(strip(manifest));
  });

  it('tells how to get the app-level token', () => {
    expect(socket.text).toMatch(/SLACK_APP_TOKEN/);
    expect(socket.text).toMatch(/connections:write/);
    expect(socket.text).not.toMatch(/YOUR-HOST/);
  });
});
