// Namespace allowlist, deny by default: checked before any cluster call.
import { AutofixError, ErrorCode } from '../domain/index.js';

export function assertNamespaceAllowed(namespace: string, allowed: readonly string[]): void {
  if (allowed.includes(namespace)) return;
  const now =
    allowed.length === 0
      ? 'AUTOFIX_NAMESPACES is empty, so no namespace is allowed'
      : `allowed: ${allowed.join(', ')}`;
  throw new AutofixError(ErrorCode.NamespaceNotAllowed, `Namespace "${namespace}" is not allowed (${now}).`, {
    hint: `Add it to AUTOFIX_NAMESPACES (comma list), e.g. AUTOFIX_NAMESPACES=${[...allowed, namespace].join(',')}.`,
  });
}
