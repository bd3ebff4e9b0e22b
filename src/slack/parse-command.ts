// The `/autofix` grammar: `[<kind>/<name>] [-n|--namespace <ns>] [-c|--cluster <name>]`, `clusters` or `help`, with
// a message per bad-input class. The cluster is chosen (and its allowlist learned) through the context.
import {
  DNS1123_LABEL,
  isAutofixError,
  normalizeKind,
  parseTargetRef,
  type Target,
  type TargetRef,
} from '../domain/index.js';
import { unescapeSlackText } from './slack-limits.js';

export type ParsedCommand =
  | { kind: 'help' }
  /** `clusters`: the registered clusters and the health of their workers. */
  | { kind: 'clusters' }
  | { kind: 'investigate'; cluster: string; target: Target; namespaceFrom: 'flag' | 'channel' }
  /** No target: list the namespace's unhealthy workloads. */
  | { kind: 'triage'; cluster: string; namespace: string; namespaceFrom: 'flag' | 'channel' }
  /** `pod/<name>` or `replicaset/<name>`: the worker resolves it to the owning workload. */
  | { kind: 'resolve'; cluster: string; ref: TargetRef; namespaceFrom: 'flag' | 'channel' }
  | { kind: 'invalid'; message: string }
  /** Well formed, but no cluster can take it now (no live worker, several clusters and none named). */
  | { kind: 'refused'; message: string };

/** The cluster a command goes to and the namespaces it allows now, or why none can take it. */
export type ClusterChoice =
  { ok: true; cluster: string; namespaces: readonly string[] } | { ok: false; message: string };

export interface CommandContext {
  channelId: string;
  /** Channel id → default namespace (AUTOFIX_CHANNEL_NAMESPACES). */
  channelNamespaces: Readonly<Record<string, string>>;
  /**
   * Picks the cluster (the `--cluster` value, else the channel's default, else the only one) and tells its
   * allowlist; `needsWorker` is false for what the bot answers alone (a workload's history).
   */
  chooseCluster(requested: string | undefined, needsWorker: boolean): ClusterChoice;
  /** The bot answers a workload itself (`history`): its cluster need not have a live worker. */
  answeredByBot?: boolean;
  /** The command's name as registered in Slack; default `/autofix`. */
  command?: string;
}

export const MAX_COMMAND_LENGTH = 500;
const HELP_WORDS = new Set(['help', '-h', '--help']);
const INJECTION = new Set([';', '`', '$', '|', '&', '<', '>', '(', ')', '{', '}', '\\', "'", '"']);
const DASHES = /[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]/;
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
const UNICODE_SPACES = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;
/** Common lookalikes of ASCII letters (Cyrillic, Greek) that NFKC does not fold. */
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  і: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  һ: 'h',
  ӏ: 'l',
  ο: 'o',
  α: 'a',
  ν: 'v',
  ι: 'i',
  κ: 'k',
  τ: 't',
  ρ: 'p',
};

/** The form every invalid message ends with. */
export function usageLine(command = '/autofix'): string {
  return (
    `Usage: \`${command} <kind>/<name> [-n <namespace>] [-c <cluster>]\`, e.g. \`${command} deployment/web -n shop\` ` +
    `(kinds: deployment, statefulset, daemonset, pod, replicaset); \`${command} -n shop\` lists what is unhealthy; ` +
    `\`${command} clusters\` lists the clusters. \`${command} help\` explains more.`
  );
}

/** The exact command that investigates `target` again (offered with stale proposals), on its cluster when named. */
export function formatAutofixCommand(target: TargetRef, command = '/autofix', cluster?: string): string {
  const on = cluster === undefined ? '' : ` -c ${cluster}`;
  return `${command} ${target.kind.toLowerCase()}/${target.name} -n ${target.namespace}${on}`;
}

const codePoint = (ch: string): string =>
  `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
const show = (token: string): string => (token.length > 40 ? `${token.slice(0, 40)}…` : token);

/** C0 and C1 control characters other than tab (newlines are reported on their own). */
function isControl(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return (code < 0x20 && ch !== '\t') || (code >= 0x7f && code <= 0x9f);
}

/** Characters that are not what they look like, or not visible at all. */
function unicodeProblem(text: string): string | null {
  if (/[\r\n\u2028\u2029]/.test(text)) return 'The command spans several lines; put it on one line.';
  const control = [...text].find(isControl);
  if (control) return `The command contains a control character (${codePoint(control)}).`;
  const invisible = INVISIBLE.exec(text);
  if (invisible)
    return `The command contains an invisible character (${codePoint(invisible[0])}); retype it.`;
  const dash = DASHES.exec(text);
  if (dash) {
    return (
      `"${dash[0]}" (${codePoint(dash[0])}) is not a plain hyphen: your keyboard or Slack may have turned ` +
      '`--` into a long dash. Type `-n shop` or `--namespace shop` with plain hyphens.'
    );
  }
  for (const ch of text) {
    if (ch.charCodeAt(0) < 0x80) continue;
    const folded = CONFUSABLES[ch] ?? ch.normalize('NFKC');
    const hint = /^[\x20-\x7e]+$/.test(folded)
      ? ` which looks like "${folded}" but is a different character`
      : '';
    return `The command contains "${ch}" (${codePoint(ch)})${hint}; Kubernetes names use plain ASCII only.`;
  }
  return null;
}

/** Mentions, links and shell syntax: nothing here is ever run, but we refuse rather than guess. */
function injectionProblem(text: string): string | null {
  if (/<[@!#][^>]*>|(^|\s)@\S/.test(text)) {
    return 'Mentions (@user, @channel, @here, #channel) are not part of the command.';
  }
  if (/<(https?|mailto):[^>]*>/i.test(text)) return 'Links are not part of the command.';
  for (const ch of text) {
    if (INJECTION.has(ch)) {
      return `The command contains "${ch}", which cannot appear in a kind, name or namespace (nothing is run in a shell).`;
    }
    if (!/[A-Za-z0-9._/=:\-\s]/.test(ch))
      return `The command contains "${ch}", which cannot appear in a kind, name or namespace.`;
  }
  return null;
}

/** First problem with the raw text as a whole, after Slack's `&amp;` escaping is undone. */
function textProblem(raw: string): string | null {
  if (raw.length > MAX_COMMAND_LENGTH) {
    return `The command is ${raw.length} characters long; the limit is ${MAX_COMMAND_LENGTH}.`;
  }
  const text = unescapeSlackText(raw).replace(/\t/g, ' ').replace(UNICODE_SPACES, ' ');
  return unicodeProblem(text) ?? injectionProblem(text);
}

function flagProblem(token: string): string {
  const shown = `Unknown option \`${show(token)}\``;
  if (/^-{1,2}(ns|namespace|namespaces)(=.*)?$/i.test(token)) {
    return `${shown}; the namespace option is \`-n <namespace>\` or \`--namespace <namespace>\`.`;
  }
  if (/^-n[a-z0-9]/.test(token)) return `${shown}; did you mean \`-n ${show(token.slice(2))}\`?`;
  if (/^-{1,2}(clusters?|ctx|context)(=.*)?$/i.test(token))
    return `${shown}; the cluster option is \`-c <cluster>\` or \`--cluster <cluster>\`.`;
  return `${shown}; the only options are \`-n <namespace>\` (or \`--namespace\`) and \`-c <cluster>\` (or \`--cluster\`).`;
}

interface Tokens {
  ref: string | undefined;
  namespace: string | undefined;
  cluster: string | undefined;
}

const FLAGS = { namespace: /^(-n|--namespace)(?:=(.*))?$/, cluster: /^(-c|--cluster)(?:=(.*))?$/ } as const;
const EXAMPLE = { namespace: 'shop', cluster: 'prod-eu' } as const;

/** Positional target, `-n`/`--namespace` and `-c`/`--cluster` (separate or `=`), in any order; each at most once. */
function readTokens(tokens: string[]): Tokens | string {
  const out: Tokens = { ref: undefined, namespace: undefined, cluster: undefined };
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    if (!token.startsWith('-')) {
      if (out.ref === undefined) out.ref = token;
      else return extraWordProblem(out.ref, token);
      continue;
    }
    const which = (['namespace', 'cluster'] as const).find((k) => FLAGS[k].test(token));
    if (!which) return flagProblem(token);
    const flag = FLAGS[which].exec(token)!;
    let value = flag[2];
    if (value === undefined) {
      i += 1;
      value = tokens[i];
    }
    if (value === undefined || value === '' || value.startsWith('-')) {
      return `\`${flag[1]}\` needs a ${which} after it, e.g. \`${flag[1]} ${EXAMPLE[which]}\`.`;
    }
    const given = out[which];
    if (given !== undefined) {
      return `The ${which} is given twice (\`${show(given)}\` and \`${show(value)}\`); give it once.`;
    }
    out[which] = value;
  }
  return out;
}

function extraWordProblem(ref: string, extra: string): string {
  if (!ref.includes('/') && !extra.startsWith('-')) {
    return `Write the target as one word, kind and name joined by a slash: \`${show(`${ref}/${extra}`)}\`.`;
  }
  return `Unexpected \`${show(extra)}\` after the target \`${show(ref)}\`; give one target per command.`;
}

function namespaceProblem(
  namespace: string,
  choice: { cluster: string; namespaces: readonly string[] },
): string | null {
  const list = choice.namespaces;
  if (list.includes(namespace)) return null;
  const allowed =
    list.length === 0
      ? 'No namespace is allowed there yet.'
      : `Allowed: ${list
          .slice(0, 10)
          .map((n) => `\`${n}\``)
          .join(', ')}` + `${list.length > 10 ? ', …' : ''}.`;
  return (
    `Namespace \`${namespace}\` is not in kube-autofix's allowlist on cluster \`${choice.cluster}\`, so it will not touch it. ${allowed} ` +
    `To allow it, an admin adds it to AUTOFIX_NAMESPACES of that cluster's worker and grants the worker its Role there ` +
    '(deploy/kubernetes/worker-role.yaml).'
  );
}

function missingNamespace(ctx: CommandContext): string {
  return (
    'No namespace given, and this channel has no default namespace. Add `-n <namespace>`, ' +
    `or ask an admin to map this channel in AUTOFIX_CHANNEL_NAMESPACES (e.g. \`${ctx.channelId}=shop\`).`
  );
}

/** Parses the text of `/autofix`; never throws. */
export function parseAutofixCommand(text: string, ctx: CommandContext): ParsedCommand {
  const invalid = (message: string): ParsedCommand => ({
    kind: 'invalid',
    message: `${message}\n${usageLine(ctx.command)}`,
  });
  const problem = textProblem(text);
  if (problem) return invalid(problem);
  const clean = unescapeSlackText(text).replace(/\t/g, ' ').replace(UNICODE_SPACES, ' ').trim();
  const tokens = clean.length === 0 ? [] : clean.split(/ +/);
  if (tokens.length > 0 && (HELP_WORDS.has(tokens[0]!.toLowerCase()) || tokens.includes('--help')))
    return { kind: 'help' };
  if (tokens.length === 1 && tokens[0]!.toLowerCase() === 'clusters') return { kind: 'clusters' };
  const read = readTokens(tokens);
  if (typeof read === 'string') return invalid(read);
  if (read.cluster !== undefined && (read.cluster.length > 63 || !DNS1123_LABEL.test(read.cluster)))
    return invalid(
      `"${show(read.cluster)}" is not a valid cluster name (a lowercase DNS label, e.g. prod-eu).`,
    );
  const fromChannel = Object.hasOwn(ctx.channelNamespaces, ctx.channelId)
    ? ctx.channelNamespaces[ctx.channelId]
    : undefined;
  const namespace = read.namespace ?? fromChannel;
  const namespaceFrom = read.namespace === undefined ? 'channel' : 'flag';
  if (!namespace)
    return invalid(
      read.ref === undefined ? `No target given. ${missingNamespace(ctx)}` : missingNamespace(ctx),
    );
  if (read.ref === undefined) {
    if (namespace.length > 63 || !DNS1123_LABEL.test(namespace))
      return invalid(`"${show(namespace)}" is not a valid namespace name.`);
    const choice = ctx.chooseCluster(read.cluster, true);
    if (!choice.ok) return { kind: 'refused', message: choice.message };
    const refused = namespaceProblem(namespace, choice);
    return refused ? invalid(refused) : { kind: 'triage', cluster: choice.cluster, namespace, namespaceFrom };
  }
  let ref: TargetRef;
  try {
    ref = parseTargetRef(read.ref, namespace);
  } catch (e) {
    // Never throws: anything unexpected is still an invalid command, not a crash of the handler.
    return invalid(isAutofixError(e) ? e.message : 'The target could not be read.');
  }
  const kind = normalizeKind(ref.kind);
  // Only a workload's history is answered by the bot alone; a pod or ReplicaSet needs a worker to resolve it.
  const choice = ctx.chooseCluster(read.cluster, !(ctx.answeredByBot && kind));
  if (!choice.ok) return { kind: 'refused', message: choice.message };
  const notAllowed = namespaceProblem(ref.namespace, choice);
  if (notAllowed) return invalid(notAllowed);
  if (!kind) return { kind: 'resolve', cluster: choice.cluster, ref, namespaceFrom };
  return { kind: 'investigate', cluster: choice.cluster, target: { ...ref, kind }, namespaceFrom };
}
