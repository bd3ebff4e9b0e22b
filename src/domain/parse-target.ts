// Parses `<kind>/<name>` plus a namespace into a Target, with errors that show the right form.
import { AutofixError, ErrorCode } from './errors.js';
import {
  DNS1123_LABEL,
  DNS1123_SUBDOMAIN,
  SUPPORTED_KINDS,
  SUPPORTED_REF_KINDS,
  Target,
  TargetRef,
  normalizeKind,
  normalizeOwnedKind,
} from './target.js';

export const TARGET_FORM = '<kind>/<name> -n <namespace>   e.g. deployment/web -n shop';

function bad(message: string): never {
  throw new AutofixError(ErrorCode.BadInput, message, { hint: `Expected ${TARGET_FORM}.` });
}

/** Parses `<kind>/<name>`; with `owned`, also `pod/<name>` and `replicaset/<name>` (resolved to their workload later). */
function parseRef(ref: string, namespace: string | undefined | null, owned: boolean): TargetRef {
  const trimmed = ref.trim();
  if (trimmed.length === 0) bad('No target given.');
  if (trimmed.length > 320) bad('The target is too long to be a Kubernetes object reference.');
  const parts = trimmed.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) bad(`"${trimmed}" is not of the form <kind>/<name>.`);
  const [kindWord, name] = parts as [string, string];
  const kind = normalizeKind(kindWord) ?? (owned ? normalizeOwnedKind(kindWord) : null);
  if (!kind)
    bad(
      `Unsupported kind "${kindWord}"; supported: ${(owned ? SUPPORTED_REF_KINDS : SUPPORTED_KINDS).join(', ')}.`,
    );
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    bad(
      `"${name}" is not a valid object name (lowercase letters, digits, '-' and '.', at most 253 characters).`,
    );
  }
  if (!namespace) bad('No namespace given.');
  if (namespace.length > 63 || !DNS1123_LABEL.test(namespace)) {
    bad(
      `"${namespace}" is not a valid namespace name (lowercase letters, digits and '-', at most 63 characters).`,
    );
  }
  return TargetRef.parse({ kind, name, namespace });
}

export function parseTarget(ref: string, namespace: string | undefined | null): Target {
  return Target.parse(parseRef(ref, namespace, false));
}

/** Like parseTarget, also accepting `pod/<name>` and `replicaset/<name>` (`po`, `rs`). */
export function parseTargetRef(ref: string, namespace: string | undefined | null): TargetRef {
  return parseRef(ref, namespace, true);
}
