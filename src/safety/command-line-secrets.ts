// Passwords on command lines (a supervisor's, an init script's or `set -x` output), by the flags each tool reads them from.
import { credentialStrength } from './credential-name.js';
import { harmlessValue } from './key-values.js';
import type { Range } from './mask-ranges.js';
import { randomLooking } from './randomness.js';

interface Word {
  raw: string;
  /** The word without its quotes. */
  value: string;
  start: number;
  end: number;
  /** Where the unquoted value starts and ends in the text (the word minus one pair of outer quotes). */
  innerStart: number;
  innerEnd: number;
}

/** Shell words of one line, quotes kept together (`-P 'a b'`, `x="y z"`). */
function words(line: string, offset: number): Word[] {
  const out: Word[] = [];
  const re = /(?:"(?:[^"\\]|\\.)*"|'[^']*'|[^\s"'])+/g;
  for (const m of line.matchAll(re)) {
    const raw = m[0];
    const start = offset + m.index;
    const wholeQuoted = /^(["']).*\1$/.test(raw) && raw.length >= 2;
    out.push({
      raw,
      value: raw.replace(/"((?:[^"\\]|\\.)*)"|'([^']*)'/g, '$1$2'),
      start,
      end: start + raw.length,
      innerStart: wholeQuoted ? start + 1 : start,
      innerEnd: wholeQuoted ? start + raw.length - 1 : start + raw.length,
    });
  }
  return out;
}

/** How a tool takes a password. */
interface ToolRule {
  /** Short flags whose next word (or attached rest) is the password: `-P pw`, `-Ppw`. */
  short?: string[];
  /** Short flags whose attached rest only is the password (`mysql -ppw`; `-p` alone prompts). */
  attached?: string[];
  /** Flags whose value is `user<sep>password`: the part after the separator. */
  userPass?: Record<string, string>;
  /** Only after this subcommand (`docker login -p`, not `docker run -p 80:80`). */
  sub?: string[];
  /** Positional passwords after a subcommand: `rabbitmqctl add_user <user> <password>` → [add_user, 2]. */
  positional?: Array<[sub: string, index: number]>;
}

const MYSQL: ToolRule = { attached: ['-p'] };
const MONGO: ToolRule = { short: ['-p'] };
const LDAP: ToolRule = { short: ['-w'] };
const REGISTRY_LOGIN: ToolRule = { short: ['-p'], sub: ['login'] };
const MOSQUITTO: ToolRule = { short: ['-P'] };

/** The tools whose short flags carry passwords; long flags (`--password`, `-storepass`) are found by name. */
const TOOLS: Record<string, ToolRule> = {
  mysql: MYSQL,
  mysqldump: MYSQL,
  mysqladmin: MYSQL,
  mysqlimport: MYSQL,
  mysqlcheck: MYSQL,
  mysqlsh: MYSQL,
  mariadb: MYSQL,
  'mariadb-dump': MYSQL,
  'mariadb-admin': MYSQL,
  sqlcmd: { short: ['-P'] },
  bcp: { short: ['-P'] },
  osql: { short: ['-P'] },
  isql: { short: ['-P'] },
  ldapsearch: LDAP,
  ldapmodify: LDAP,
  ldapadd: LDAP,
  ldapdelete: LDAP,
  ldapwhoami: LDAP,
  ldapcompare: LDAP,
  ldapmodrdn: LDAP,
  ldappasswd: { short: ['-w', '-s', '-a'] },
  'redis-cli': { short: ['-a'] },
  'valkey-cli': { short: ['-a'] },
  'keydb-cli': { short: ['-a'] },
  sshpass: { short: ['-p'] },
  docker: REGISTRY_LOGIN,
  podman: REGISTRY_LOGIN,
  buildah: REGISTRY_LOGIN,
  skopeo: REGISTRY_LOGIN,
  nerdctl: REGISTRY_LOGIN,
  helm: REGISTRY_LOGIN,
  oras: REGISTRY_LOGIN,
  crane: REGISTRY_LOGIN,
  regctl: REGISTRY_LOGIN,
  az: { short: ['-p'] },
  twine: { short: ['-p'] },
  cqlsh: { short: ['-p'] },
  mongo: MONGO,
  mongosh: MONGO,
  mongodump: MONGO,
  mongorestore: MONGO,
  mongoimport: MONGO,
  mongoexport: MONGO,
  mongostat: MONGO,
  mongotop: MONGO,
  mosquitto_pub: MOSQUITTO,
  mosquitto_sub: MOSQUITTO,
  unzip: { short: ['-P'] },
  zip: { short: ['-P'] },
  '7z': { attached: ['-p'] },
  '7za': { attached: ['-p'] },
  'ssh-keygen': { short: ['-N', '-P'] },
  openssl: { short: ['-k'] },
  smbclient: { userPass: { '-U': '%', '--user': '%' } },
  curl: { userPass: { '-u': ':', '--user': ':', '-U': ':', '--proxy-user': ':' } },
  etcdctl: { userPass: { '--user': ':' } },
  lftp: { userPass: { '-u': ',' } },
  rabbitmqctl: {
    positional: [
      ['add_user', 2],
      ['change_password', 2],
      ['authenticate_user', 2],
    ],
  },
  // `mc alias set <name> <url> <access-key> <secret-key>`, `mc config host add <name> <url> <ak> <sk>`.
  mc: {
    positional: [
      ['alias', 4],
      ['alias', 5],
      ['config', 5],
      ['config', 6],
    ],
  },
  vault: { positional: [['login', 1]] },
  htpasswd: {},
};

const SEPARATOR = new Set(['|', '||', '&&', ';', '&']);

/** The range of the value part of a word from raw offset `at` (quotes around that part left out). */
function partOf(w: Word, at: number): Range | null {
  let start = w.start + at;
  let end = w.end;
  const part = w.raw.slice(at);
  if (/^(["']).*\1$/s.test(part) && part.length >= 2) {
    start += 1;
    end -= 1;
  } else if (w.innerStart > w.start) {
    start = Math.max(start, w.innerStart);
    end = w.innerEnd;
  }
  return start < end ? [start, end] : null;
}

const whole = (w: Word): Range | null => partOf(w, 0);

function secretWord(w: Word | undefined): w is Word {
  return w !== undefined && !w.value.startsWith('-') && !harmlessValue(w.value) && !SEPARATOR.has(w.value);
}

/** `--password=x`, `--password x`, `-storepass x`, `-passout pass:x`: a long flag named for a credential. */
function longFlag(
  w: Word,
  next: Word | undefined,
  push: (r: Range | null) => void,
): 'none' | 'self' | 'next' {
  const flag = /^(--?)([A-Za-z][\w.-]{2,80})(?:=(.*))?$/s.exec(w.value);
  if (!flag) return 'none';
  const name = flag[2]!;
  const strength = credentialStrength(name);
  // openssl's password sources: only `pass:` holds the password (`env:`, `file:`, `fd:`, `stdin` name a place).
  const source = /^pass(?:in|out)?$/.test(name);
  if (!strength && !source) return 'none';
  const eq = w.raw.indexOf('=');
  if (flag[3] !== undefined && eq > 0) {
    const v = flag[3];
    if (v.startsWith('pass:'))
      push(partOf(w, eq + 1 + 5 + (w.raw[eq + 1] === '"' || w.raw[eq + 1] === "'" ? 1 : 0)));
    else if (!source && !harmlessValue(v) && (strength === 'strong' || randomLooking(v)))
      push(partOf(w, eq + 1));
    return 'self';
  }
  if (!secretWord(next)) return 'self';
  if (source) {
    if (next.value.startsWith('pass:')) push([next.innerStart + 5, next.innerEnd]);
  } else if (strength === 'strong' || randomLooking(next.value)) push(whole(next));
  return 'next';
}

/** Ranges of flag values that a name or a tool says are credentials, on one line. */
function lineRanges(ws: Word[]): Range[] {
  const out: Range[] = [];
  const push = (r: Range | null): void => {
    if (r && r[0] < r[1]) out.push(r);
  };
  let tool: ToolRule | null = null;
  let sub: string | null = null;
  let position = 0;
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    const next = ws[i + 1];
    if (SEPARATOR.has(w.value)) {
      tool = null;
      continue;
    }
    const base = w.value.slice(w.value.lastIndexOf('/') + 1);
    if (!w.value.startsWith('-') && TOOLS[base]) {
      tool = TOOLS[base]!;
      sub = null;
      position = 0;
      continue;
    }
    // The tool's own short flags first (`mysql -pSecret` is not a long flag named `pSecret`).
    const short = w.value.slice(0, 2);
    const toolFlag =
      tool !== null &&
      !(tool.sub && !(sub !== null && tool.sub.includes(sub))) &&
      (tool.short?.includes(short) ||
        tool.attached?.includes(short) ||
        tool.userPass?.[w.value.split('=')[0]!] !== undefined);
    if (!toolFlag) {
      const used = longFlag(w, next, push);
      if (used === 'next') i += 1;
      if (used !== 'none') continue;
    }
    if (!tool) continue;
    if (!w.value.startsWith('-')) {
      // `docker login`, `rabbitmqctl add_user app <pw>`, `mc alias set x url <key> <secret>`: counted from the subcommand.
      if (sub === null) sub = w.value;
      else position += 1;
      if (tool.positional?.some(([s, n]) => s === sub && n === position) && !harmlessValue(w.value))
        push(whole(w));
      continue;
    }
    if (tool.sub && !(sub !== null && tool.sub.includes(sub))) continue;
    if (tool.short?.includes(w.value)) {
      if (secretWord(next)) {
        push(whole(next));
        i += 1;
      }
    } else if ((tool.short?.includes(short) || tool.attached?.includes(short)) && w.value.length > 2) {
      push(partOf(w, 2));
    } else if (tool.userPass) {
      const eq = w.raw.indexOf('=');
      const flagName = eq > 0 ? w.value.slice(0, w.value.indexOf('=')) : w.value;
      const sep = tool.userPass[flagName];
      const target = eq > 0 ? w : next;
      if (!sep || !target) continue;
      const raw = eq > 0 ? w.raw.slice(eq + 1) : target.raw;
      const at = raw.indexOf(sep);
      if (at > 0) push(partOf(target, (eq > 0 ? eq + 1 : 0) + at + 1));
      if (eq <= 0) i += 1;
    }
  }
  return out;
}
/** `htpasswd -b[c…] file user password`: the last word. */
function htpasswdRanges(ws: Word[]): Range[] {
  const i = ws.findIndex((w) => w.value.endsWith('htpasswd'));
  if (i === -1 || !/^-[A-Za-z]*b/.test(ws[i + 1]?.value ?? '')) return [];
  const pw = ws[i + 4];
  const r = pw && !harmlessValue(pw.value) ? whole(pw) : null;
  return r ? [r] : [];
}

/** Oracle tools' `user/password@service` logon argument. */
function oracleLogonRanges(ws: Word[]): Range[] {
  const i = ws.findIndex((w) => /(?:^|\/)(?:sqlplus|rman|expdp|impdp|sqlldr|exp|imp|dgmgrl)$/.test(w.value));
  if (i === -1) return [];
  const out: Range[] = [];
  for (const w of ws.slice(i + 1)) {
    const m = /^[^/\s@-][^/\s@]*\/([^@\s/]+)(?:@|$)/.exec(w.raw);
    if (m && !harmlessValue(m[1]!))
      out.push([w.start + m[0].indexOf('/') + 1, w.start + m[0].indexOf('/') + 1 + m[1]!.length]);
  }
  return out;
}

/** Ranges of credentials on command lines in `text`, line by line. */
export function commandLineRanges(text: string): Range[] {
  if (!/(?:^|\s)-|htpasswd|rabbitmqctl|vault|\bmc\b|sqlplus|rman|dp\b|sqlldr/.test(text)) return [];
  const out: Range[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const ws = words(line, offset);
    out.push(...lineRanges(ws), ...htpasswdRanges(ws), ...oracleLogonRanges(ws));
    offset += line.length + 1;
  }
  return out;
}
