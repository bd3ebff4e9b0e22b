// Renders a prompt template's {{variables}}; pure, and loud about any mismatch between header, body and values.
import { AutofixError, ErrorCode } from '../../../../domain/index.js';

const HEADER = /^\s*<!--\s*variables:([^>]*)-->[ \t]*\r?\n?/;
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

function templateError(source: string, problem: string): AutofixError {
  return new AutofixError(ErrorCode.Internal, `Prompt template ${source}: ${problem}.`);
}

function diff(a: Iterable<string>, b: Set<string>): string[] {
  return [...a].filter((x) => !b.has(x));
}

/**
 * The template must open with `<!-- variables: a, b -->`; that list, the `{{placeholders}}` in the body
 * and the keys of `values` must be the same set, so a renamed variable can never silently render empty.
 * The header is not part of the output. Values are inserted verbatim and never re-scanned.
 */
export function renderTemplate(
  template: string,
  values: Record<string, string>,
  source = 'template',
): string {
  const header = HEADER.exec(template);
  if (!header) throw templateError(source, 'missing the "<!-- variables: … -->" header');
  const declared = new Set(
    (header[1] ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v.length > 0),
  );
  const body = template.slice(header[0].length);
  const used = new Set([...body.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''));
  const provided = new Set(Object.keys(values));
  const problems = [
    ...diff(used, declared).map((v) => `{{${v}}} is used but not declared in the header`),
    ...diff(declared, used).map((v) => `"${v}" is declared but never used`),
    ...diff(declared, provided).map((v) => `no value given for "${v}"`),
    ...diff(provided, declared).map((v) => `value "${v}" is not a variable of this template`),
  ];
  if (problems.length > 0) throw templateError(source, problems.join('; '));
  return body.replace(PLACEHOLDER, (_match, name: string) => values[name] ?? '');
}
