// manifest.yml: a valid Slack app manifest (v1 schema constraints) with the command, interactivity and least scopes.
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
          url: httpUrl,
          description: z.string().min(1).max(2000),
          usage_hint: z.string().min(1).max(1000),
          should_escape: z.boolean(),
        }),
      )
      .min(1),
  }),
  oauth_config: z.strictObject({ scopes: z.strictObject({ bot: z.array(z.string().max(50)) }) }),
  settings: z.strictObject({
    interactivity: z.strictObject({ is_enabled: z.boolean(), request_url: httpUrl }),
    org_deploy_enabled: z.boolean(),
    socket_mode_enabled: z.boolean(),
    token_rotation_enabled: z.boolean(),
  }),
});

const text = readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8');
const manifest = Manifest.parse(parse(text));

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

  it('explains Socket Mode', () => {
    expect(text).toMatch(/SLACK_APP_TOKEN/);
    expect(text).toMatch(/connections:write/);
    expect(text).toMatch(/socket_mode_enabled to true/);
  });
});
