// AUTOFIX_IDENTITIES: Slack users and user groups → Kubernetes users and groups, validated (with line numbers) at start.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { Document, LineCounter } from 'yaml';
import { z } from 'zod';
import { AutofixError, ErrorCode, privilegedIdentityReason } from '../domain/index.js';

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;
const SLACK_GROUP = /^S[A-Z0-9]{2,}$/;
/** A Kubernetes user or group name as it travels in an Impersonate-* header: printable ASCII, no commas. */
const KUBE_NAME = /^[!-+\--~][ -+\--~]*$/;

const Name = (kind: 'user' | 'group') =>
  z
    .string({ error: `a Kubernetes ${kind} name (text)` })
    .min(1)
    .max(253)
    .regex(KUBE_NAME, `a ${kind} name in printable ASCII, without commas`)
    .superRefine((name, ctx) => {
      const why = privilegedIdentityReason(kind, name);
      if (why) ctx.addIssue({ code: 'custom', message: `${kind} ${name} is never impersonated: ${why}` });
    });

const onlyKeys = (keys: string) => (iss: { code?: string; keys?: string[] }) =>
  iss.code === 'unrecognized_keys' ? `unknown key ${iss.keys?.join(', ')}: ${keys}` : undefined;

/** A Slack user's own entry: their Kubernetes user name and groups. */
const UserEntry = z.strictObject(
  {
    user: z
      .string({ error: 'a Slack user needs `user:`, the Kubernetes user name they act as' })
      .pipe(Name('user')),
    groups: z.array(Name('group'), { error: 'groups is a list, e.g. [sre]' }).default([]),
  },
  { error: onlyKeys('a Slack user has user and groups') },
);
/** A Slack user group's entry: groups its members get; never a user name (each human is named as themselves). */
const GroupEntry = z.strictObject(
  { groups: z.array(Name('group'), { error: 'groups is a list, e.g. [sre]' }).min(1) },
  { error: onlyKeys('a Slack user group maps to groups only; each approver is named as themselves') },
);

/** The file as written: keys are Slack user ids (U…, W…) or user-group ids (S…). */
export const IdentityFile = z.record(z.string(), z.unknown()).superRefine((file, ctx) => {
  for (const [key, value] of Object.entries(file)) {
    const schema = SLACK_USER.test(key) ? UserEntry : SLACK_GROUP.test(key) ? GroupEntry : null;
    if (!schema) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `"${key}" is neither a Slack user id (U…, W…) nor a user-group id (S…)`,
        params: { keyAt: [key] },
      });
      continue;
    }
    const parsed = schema.safeParse(value);
    for (const issue of parsed.error?.issues ?? []) {
      const at = [key, ...issue.path];
      // An unknown key is named by its own line, not its mapping's.
      const unknown = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
      ctx.addIssue({
        code: 'custom',
        path: at,
        message: issue.message,
        ...(unknown !== undefined ? { params: { keyAt: [...at, unknown] } } : {}),
      });
    }
  }
});

export interface IdentityMap {
  /** Slack user id → Kubernetes user and own groups. */
  users: Record<string, { user: string; groups: string[] }>;
  /** Slack user-group id → groups its members get. */
  groups: Record<string, string[]>;
}

export const IdentityMap = z.object({
  users: z.record(z.string(), z.object({ user: z.string(), groups: z.array(z.string()) })),
  groups: z.record(z.string(), z.array(z.string())),
});

function fileError(path: string, line: number | null, what: string): AutofixError {
  const where = line === null ? path : `${path} line ${line}`;
  return new AutofixError(ErrorCode.ConfigInvalid, `AUTOFIX_IDENTITIES (${where}): ${what}.`, {
    hint: 'Fix the file (see "Who approves" in the README) and start again; nothing was started.',
  });
}

// Loaded only when a file is read: a process without an identities file (the default) does not carry the parser.
let yamlModule: typeof Yaml | null = null;
const yaml = (): typeof Yaml => (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof Yaml);

/**
 * The line an issue at `path` names: a wrong value's own line; with `atKey`, the line of the key `path` ends in;
 * for a missing member, the line of the mapping that should hold it.
 */
function lineOf(doc: Document, lines: LineCounter, path: PropertyKey[], atKey: boolean): number | null {
  const { isMap, isNode, isScalar, isSeq } = yaml();
  const at = (n: unknown) => (isNode(n) && n.range ? lines.linePos(n.range[0]).line : null);
  let node: unknown = doc.contents;
  let line = at(node);
  for (const [i, step] of path.entries()) {
    const pair = isMap(node)
      ? node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step))
      : undefined;
    if (atKey && i === path.length - 1 && pair) return at(pair.key) ?? line;
    const child = isMap(node) ? pair?.value : isSeq(node) ? node.items[Number(step)] : undefined;
    if (!isNode(child)) return (pair ? at(pair.key) : null) ?? line;
    node = child;
    line = at(node) ?? line;
  }
  return line;
}

/** Parses the file's text; throws CONFIG_INVALID naming the file, the line and what is wrong. */
export function parseIdentities(text: string, path: string): IdentityMap {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const what = syntax.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw fileError(path, syntax.linePos?.[0].line ?? null, `not valid YAML: ${what}`);
  }
  const data: unknown = doc.toJS() ?? {};
  const parsed = IdentityFile.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const keyAt =
      issue.code === 'custom' ? (issue.params as { keyAt?: string[] } | undefined)?.keyAt : undefined;
    const line = lineOf(doc, lines, keyAt ?? issue.path, keyAt !== undefined);
    const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
    throw fileError(path, line, `${where}${issue.message}`);
  }
  const map: IdentityMap = { users: {}, groups: {} };
  for (const [key, value] of Object.entries(parsed.data)) {
    if (SLACK_USER.test(key)) map.users[key] = UserEntry.parse(value);
    else map.groups[key] = GroupEntry.parse(value).groups;
  }
  return map;
}

/** Reads and validates the file at start (bot and worker); an unreadable file is a clear error too. */
export function loadIdentities(path: string): IdentityMap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw fileError(path, null, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseIdentities(text, path);
}
