// Provider token shapes (GitHub, Slack, AWS, Stripe…): secretlint's recommended rules, plus ours where it has none.
import { rules as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import type {
  SecretLintRuleContext,
  SecretLintRuleReportHandler,
  SecretLintSourceCode,
} from '@secretlint/types';

import type { Range } from './mask-ranges.js';

/**
 * Rules of the preset we do not run: `filter-comments` lets the text itself switch detection off
 * (`secretlint-disable` in a log line an attacker writes); `basicauth` and `database-connection-string`
 * report the whole URL, host included, where our URL parser masks only the password (and knows every scheme).
 */
const NOT_RUN = new Set([
  '@secretlint/secretlint-rule-filter-comments',
  '@secretlint/secretlint-rule-basicauth',
  '@secretlint/secretlint-rule-database-connection-string',
]);

let sink: Range[] = [];

// The rules' own context: a report is a range to mask; messages are not needed.
const context: SecretLintRuleContext = {
  sharedOptions: {},
  createTranslator: () => (messageId: string, data?: unknown) => ({ message: messageId, messageId, data }),
  report: (d) => {
    sink.push([d.range[0], d.range[1]]);
  },
  ignore: () => {},
} as SecretLintRuleContext;

/** The library's scanners, created once; each is called synchronously (none of the text rules awaits). */
const handlers: SecretLintRuleReportHandler[] = recommended
  .filter((r) => r.meta.type === 'scanner' && !NOT_RUN.has(r.meta.id))
  .map((r) => r.create(context, {}));

/** The rules secretlint runs here, by id (for the docs and the tests). */
export const LIBRARY_RULES: readonly string[] = recommended
  .filter((r) => r.meta.type === 'scanner' && !NOT_RUN.has(r.meta.id))
  .map((r) => r.meta.id);

function sourceOf(content: string): SecretLintSourceCode {
  const position = (index: number): { line: number; column: number } => {
    const before = content.slice(0, index).split('\n');
    return { line: before.length, column: before[before.length - 1]!.length };
  };
  const index = (pos: { line: number; column: number }): number =>
    content
      .split('\n')
      .slice(0, pos.line - 1)
      .reduce((n, l) => n + l.length + 1, 0) + pos.column;
  return {
    hasBOM: false,
    content,
    filePath: undefined,
    physicalFilePath: undefined,
    contentType: 'text',
    ext: '',
    getFilePath: () => undefined,
    getPhysicalFilePath: () => undefined,
    indexToPosition: position,
    positionToIndex: index,
    rangeToLocation: (r) => ({ start: position(r[0]), end: position(r[1]) }),
    locationToRange: (l) => [index(l.start), index(l.end)],
  };
}

/** Ranges secretlint's recommended rules report in `text`. */
export function libraryTokenRanges(text: string): Range[] {
  sink = [];
  const source = sourceOf(text);
  for (const h of handlers) void h.file?.(source);
  const out = sink;
  sink = [];
  return out;
}

/**
 * Shapes the preset has no rule for (or matches only at one exact length, where providers issue several):
 * JWTs, Google keys and OAuth tokens, GitHub/GitLab/npm/Hugging Face/OpenAI/Stripe/Vault tokens of any
 * length, webhook URLs (Slack, Discord, Teams), Twilio, Mailgun, Mailchimp, DigitalOcean, Square, Meta,
 * PyPI, age, Atlassian, Postman, New Relic, Telegram, Sentry, Doppler, Pulumi, Terraform Cloud, Buildkite,
 * Dynatrace, Artifactory, password hashes (crypt formats), and AWS session tokens.
 */
/** Each shape with a literal it cannot match without (checked first: a substring test is cheap). */
const OWN: ReadonlyArray<readonly [RegExp, string | null]> = [
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, 'eyJ'],
  [/\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}\b/g, null],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, 'AIza'],
  [/\bya29\.[0-9A-Za-z_-]{20,}/g, 'ya29.'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, null],
  [/\bgithub_pat_[A-Za-z0-9_]{22,}/g, 'github_pat_'],
  [/\bgl(?:pat|dt|rt|ptt|ft|cbt|imt|oas|soat|agent|wt)-[A-Za-z0-9_-]{16,}/g, null],
  [/\bgl(?:c|sa)_[A-Za-z0-9_=+/-]{32,}/g, null],
  [/\bnpm_[A-Za-z0-9]{30,}/g, 'npm_'],
  [/\bpypi-AgE[A-Za-z0-9_-]{30,}/g, 'pypi-AgE'],
  [/\bhf_[A-Za-z0-9]{30,}/g, 'hf_'],
  [/\bxox(?:[abposer]|e\.xox[bp])-[A-Za-z0-9-]{10,}/g, 'xox'],
  [/\bxapp-\d-[A-Za-z0-9-]{10,}/g, 'xapp-'],
  // Webhook URLs keep the host and kind so a reader still sees where the call went.
  [/(?<=\bhooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9/_-]+/gi, 'hooks.slack.com'],
  [/(?<=\bdiscord(?:app)?\.com\/api\/webhooks\/\d+\/)[A-Za-z0-9_-]+/gi, 'discord'],
  [
    /(?<=\b(?:outlook\.office(?:365)?\.com|[a-z0-9-]+\.webhook\.office\.com)\/webhook(?:b2)?\/)[^\s"'<>]+/gi,
    'webhook',
  ],
  [/\b(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,}/g, null],
  [/\bwhsec_[A-Za-z0-9]{20,}/g, 'whsec_'],
  [/\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}/g, 'SG.'],
  [/\bSK[0-9a-f]{32}\b/g, 'SK'],
  [/\bkey-[0-9a-f]{32}\b/g, 'key-'],
  [/\b[0-9a-f]{32}-us\d{1,2}\b/g, '-us'],
  [/\bshp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}\b/g, 'shp'],
  [/\bdo[por]_v1_[a-f0-9]{64}\b/g, '_v1_'],
  [/\bdapi[0-9a-f]{32}\b/g, 'dapi'],
  [/\bhv[sbr]\.[A-Za-z0-9_-]{20,}/g, 'hv'],
  [/\bsq0(?:atp|csp|idp)-[A-Za-z0-9_-]{22,}/g, 'sq0'],
  [/\bEAA[A-Za-z0-9]{60,}/g, 'EAA'],
  [/\bsk-[A-Za-z0-9_-]{20,}/g, 'sk-'],
  [/\bAGE-SECRET-KEY-1[0-9A-Z]{20,}/gi, null],
  [/\bATATT[A-Za-z0-9_=+/-]{40,}/g, 'ATATT'],
  [/\bPMAK-[0-9a-f]{24}-[0-9a-f]{34}\b/g, 'PMAK-'],
  [/\bNR(?:AK|II|JS|AA)-[A-Z0-9]{20,}/g, 'NR'],
  [/(?<!\d)\d{8,10}:AA[A-Za-z0-9_-]{30,}/g, ':AA'],
  [/\bsntry[su]_[A-Za-z0-9_=+/-]{30,}/g, 'sntry'],
  [/\bdp\.(?:st|pt|ct|sa|scim|audit)\.[A-Za-z0-9._-]{30,}/g, 'dp.'],
  [/\bpul-[a-f0-9]{40}\b/g, 'pul-'],
  [/\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}/g, '.atlasv1.'],
  [/\bbkua_[a-f0-9]{40}\b/g, 'bkua_'],
  [/\bdt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}\b/g, 'dt0c01.'],
  [/\bAKCp[A-Za-z0-9]{60,}/g, 'AKCp'],
  [/\b(?:FwoGZXIvYXdz|IQoJb3JpZ2lu)[A-Za-z0-9/+=]{20,}/g, null],
  [/\{S?SHA(?:256|512)?\}[A-Za-z0-9+/]{20,}={0,2}/g, 'SHA'],
  [
    /\$(?:2[abxy]?|[156]|y|gy|7|apr1|md5|argon2(?:id|i|d)|pbkdf2(?:-sha\d+)?|scrypt)\$[./A-Za-z0-9$=,+-]{8,}/g,
    '$',
  ],
];

/** Ranges of our own token shapes in `text`. */
export function ownTokenRanges(text: string): Range[] {
  const out: Range[] = [];
  for (const [re, hint] of OWN) {
    if (hint !== null && !text.includes(hint)) continue;
    for (const m of text.matchAll(re)) out.push([m.index, m.index + m[0].length]);
  }
  return out;
}
