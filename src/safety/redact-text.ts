// Masks secrets inside free text (log tails, event messages, annotations, URLs, command lines), in this order:
// the workload's own secret values (known), then text nested in JSON strings, percent or Base64 encoding
// (decoded and redacted in turn), then key blocks, provider token shapes, the structure around a value
// (keys, headers, flags, SQL, files) and random-looking tokens in a credential's context.
import { commandLineRanges } from './command-line-secrets.js';
import { credentialContextRanges } from './credential-context.js';
import { keyBlockRanges } from './key-blocks.js';
import { keyCandidates, keyValueRanges, namedPairRanges, spacedValueRanges } from './key-values.js';
import { NO_KNOWN_VALUES, type KnownValues } from './known-values.js';
import { applyRanges, REDACTED } from './mask-ranges.js';
import { libraryTokenRanges, ownTokenRanges } from './provider-tokens.js';
import { structureRanges } from './text-structures.js';

export { REDACTED };

/** How deep encodings nest before we stop decoding (JSON in JSON in Base64 …). */
const MAX_DEPTH = 3;

/** Re-encodes redacted text with `encode`, leaving each mask as it is. */
function reencode(redacted: string, encode: (s: string) => string): string {
  return redacted.split(REDACTED).map(encode).join(REDACTED);
}

// A JSON string literal holding escapes: text logged inside a JSON field (a request body, a docker log line).
const ESCAPED_STRING = /"((?:[^"\\\n]|\\.)*\\.(?:[^"\\\n]|\\.)*)"/g;
// A run holding percent escapes inside one URL component (a URL-encoded value nested in a query or a form
// body); the URL's own delimiters end it, so the URL around it is kept as written.
const PERCENT_RUN = /[^\s"'&=?#<>:/@;,]*%[0-9A-Fa-f]{2}[^\s"'&=?#<>:/@;,]*/g;
// A Base64 run long enough to hold a credential (a `tls.key` value, an encoded config).
const BASE64_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}(?![A-Za-z0-9+/=_-])/g;

function decodeJsonString(body: string): string | null {
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    return null;
  }
}

function decodeBase64(run: string): string | null {
  const bytes = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length < 16) return null;
  const text = bytes.toString('utf8');
  // Binary (gzip, a nonce, a digest) holds no text to redact.
  const printable = text.replace(/[^\x20-\x7e\t\r\n]/g, '').length;
  return printable >= text.length * 0.95 ? text : null;
}

/** Text nested in JSON strings, percent and Base64 encodings, each decoded, redacted, and put back. */
function redactNested(text: string, known: KnownValues, depth: number): string {
  if (depth >= MAX_DEPTH) return text;
  let out = text;
  if (out.includes('\\')) {
    out = out.replace(ESCAPED_STRING, (whole: string, body: string) => {
      const decoded = decodeJsonString(body);
      if (decoded === null) return whole;
      const redacted = redact(decoded, known, depth + 1);
      return redacted === decoded ? whole : `"${reencode(redacted, (s) => JSON.stringify(s).slice(1, -1))}"`;
    });
  }
  if (out.includes('%')) {
    out = out.replace(PERCENT_RUN, (run: string) => {
      let decoded: string;
      try {
        decoded = decodeURIComponent(run);
      } catch {
        return run;
      }
      if (decoded === run) return run;
      const redacted = redact(decoded, known, depth + 1);
      return redacted === decoded ? run : reencode(redacted, encodeURIComponent);
    });
  }
  out = out.replace(BASE64_RUN, (run: string) => {
    const decoded = decodeBase64(run);
    if (decoded === null) return run;
    // Any secret inside makes the whole run one: Base64 cannot be masked in part.
    return redact(decoded, known, depth + 1) === decoded ? run : REDACTED;
  });
  return out;
}

function redact(text: string, known: KnownValues, depth: number): string {
  const out = redactNested(known.mask(text), known, depth);
  const keys = keyCandidates(out);
  return applyRanges(out, [
    ...keyBlockRanges(out),
    ...libraryTokenRanges(out),
    ...ownTokenRanges(out),
    ...keyValueRanges(out, keys),
    ...spacedValueRanges(out, keys),
    ...namedPairRanges(out),
    ...structureRanges(out),
    ...commandLineRanges(out),
    ...credentialContextRanges(out),
  ]);
}

/**
 * The text with every secret found replaced by {@link REDACTED}; other text is untouched. `known` holds the
 * values of the Secrets the workload reads (see known-values.ts): masked wherever and however they appear.
 */
export function redactText(s: string, known: KnownValues = NO_KNOWN_VALUES): string {
  if (typeof s !== 'string') return s; // callers with untyped data must not make redaction throw
  return redact(s, known, 0);
}

/** Whether the text contains a secret. */
export function containsSecret(s: string, known: KnownValues = NO_KNOWN_VALUES): boolean {
  return redactText(s, known) !== s;
}
