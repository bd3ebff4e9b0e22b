// Code-execution flags: new commands, args, exec probes, runtime env, envFrom and image sources that no earlier revision ran, shown to the approver in full.
import type { KubeObject } from '../domain/index.js';
import { asArray, asRecord, asString, deepEqual, getIn, type JsonRecord } from '../domain/json-access.js';
import { parseImage } from './parse-image.js';
import type { PolicyConfig } from './policy-rule.js';
import { containersByKey } from './pod-view.js';

/** Beyond this a value could not be shown whole in one Slack section, so the change is refused instead. */
export const MAX_FLAGGED_VALUE = 2000;

/** All flags together stay within what one Slack message can show whole. */
export const MAX_FLAGGED_TOTAL = 6000;

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

export interface CodeExecutionInput {
  live: KubeObject;
  proposed: KubeObject;
  /** Pod templates of earlier revisions: restoring one of their values is not new code. */
  previousTemplates: readonly KubeObject[];
  policy: Pick<PolicyConfig, 'allowedRegistries'>;
}

export interface CodeExecutionResult {
  /** Shown prominently and in full to the approver. */
  flags: string[];
  /** New code too long to show in full: refused. */
  violations: string[];
}

const label = (key: string): string =>
  `${key.startsWith('init') ? 'init container' : 'container'} ${key.slice(key.indexOf('/') + 1)}`;

/** Variables that make a runtime load or run code (a preloaded library, a startup script, an agent). */
const CODE_LOADING_ENV = new Set([
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'LD_AUDIT',
  'DYLD_INSERT_LIBRARIES',
  'GCONV_PATH',
  'NODE_OPTIONS',
  'NODE_PATH',
  'JAVA_TOOL_OPTIONS',
  '_JAVA_OPTIONS',
  'JDK_JAVA_OPTIONS',
  'JAVA_OPTS',
  'CATALINA_OPTS',
  'PYTHONSTARTUP',
  'PYTHONPATH',
  'PYTHONHOME',
  'PERL5OPT',
  'PERL5LIB',
  'RUBYOPT',
  'RUBYLIB',
  'BASH_ENV',
  'ENV',
  'PROMPT_COMMAND',
  'PS4',
  'SHELLOPTS',
  'GIT_SSH_COMMAND',
  'LD_BIND_NOW',
]);

/**
 * Families of variables a runtime, loader or HTTP/TLS library reads to change what runs or where traffic
 * goes (matched by shape, since each runtime keeps adding names): proxies, CA bundles, runtime options,
 * loader and interpreter settings, search paths.
 */
const RUNTIME_ENV: readonly RegExp[] = [
  /^(LD|DYLD|GLIBC|MALLOC)_/,
  /(^|_)PROXY$/i,
  /^(DOTNET|CORECLR|COR|COMPLUS)_/i,
  /^(PYTHON|PERL|RUBY)[A-Z0-9_]*$/,
  /^(NODE|NPM_CONFIG|GEM|BUNDLE|JAVA|_JAVA|JDK|JVM|PHP|GIT|GO|CGO|LUA|R)_/,
  /(^|_)(OPTS|OPTIONS|FLAGS)$/,
  /(^|_)(CA_BUNDLE|CA_FILE|CA_PATH|CERT_FILE|CERT_DIR|CACERT)$/i,
  /^SSL_|^OPENSSL_|^CURL_|^WGET/,
  /^(PATH|CLASSPATH|LIBPATH|SHLIB_PATH)$/,
];

const runtimeEnv = (name: string): boolean =>
  CODE_LOADING_ENV.has(name) || RUNTIME_ENV.some((re) => re.test(name));

/**
 * The fields of a container that decide what it runs or where it talks: command, args, exec probes'
 * commands, runtime env, and envFrom (whose variable names nobody sees).
 */
function runnables(c: JsonRecord | undefined): Array<[string, unknown]> {
  const env = asArray(c?.env)
    .map(asRecord)
    .filter((e) => typeof e.name === 'string' && runtimeEnv(e.name))
    .map((e): [string, unknown] => [`env ${String(e.name)}`, e.value ?? e.valueFrom]);
  return [
    ['command', c?.command],
    ['args', c?.args],
    ...PROBES.map((p): [string, unknown] => [`${p}.exec.command`, getIn(c, [p, 'exec', 'command'])]),
    ...env,
    ['envFrom', asArray(c?.envFrom).length > 0 ? c?.envFrom : undefined],
  ];
}

function registryOf(image: unknown): string | null {
  const s = asString(image);
  const ref = s === null ? null : parseImage(s);
  return ref === null ? null : `${ref.registry}/${ref.repository}`;
}

/** Flags every changed runnable that does not restore a previous revision's value for the same container. */
export function codeExecutionFlags(input: CodeExecutionInput): CodeExecutionResult {
  const live = containersByKey(asRecord(getIn(input.live, ['spec', 'template', 'spec'])));
  const previous = input.previousTemplates.map((t) => containersByKey(asRecord(getIn(t, ['spec']))));
  const out: CodeExecutionResult = { flags: [], violations: [] };
  for (const [key, c] of containersByKey(asRecord(getIn(input.proposed, ['spec', 'template', 'spec'])))) {
    const before = new Map(runnables(live.get(key)));
    const earlier = previous.map((p) => new Map(runnables(p.get(key))));
    for (const [field, value] of runnables(c)) {
      if (value === undefined || deepEqual(before.get(field), value)) continue;
      if (earlier.some((m) => deepEqual(m.get(field), value))) continue;
      const shown = JSON.stringify(value);
      if (shown.length > MAX_FLAGGED_VALUE) {
        out.violations.push(
          `${label(key)}: the new ${field} is ${shown.length} characters long, too long to show an approver in full (at most ${MAX_FLAGGED_VALUE})`,
        );
      } else {
        out.flags.push(`${label(key)}: new ${field} no earlier revision ran: ${shown}`);
      }
    }
    if (input.policy.allowedRegistries.length > 0 || deepEqual(live.get(key)?.image, c.image)) continue;
    const source = registryOf(c.image);
    const known = [live.get(key)?.image, ...previous.map((p) => p.get(key)?.image)].map(registryOf);
    if (source !== null && !known.includes(source))
      out.flags.push(
        `${label(key)}: image ${String(c.image)} comes from ${source}, which no earlier revision used, and AUTOFIX_ALLOWED_REGISTRIES is not set`,
      );
  }
  const total = out.flags.reduce((n, f) => n + f.length, 0);
  if (total > MAX_FLAGGED_TOTAL)
    out.violations.push(
      `the new commands, args and probes come to ${total} characters, too many to show an approver in full (at most ${MAX_FLAGGED_TOTAL})`,
    );
  return out;
}
