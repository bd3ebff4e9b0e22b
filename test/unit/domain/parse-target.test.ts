// The `<kind>/<name> -n <namespace>` grammar shared by the CLI and Slack.
import { describe, expect, it } from 'vitest';
import { AutofixError, parseTarget } from '../../../src/domain/index.js';
import { assertNamespaceAllowed } from '../../../src/safety/namespace-allowlist.js';

describe('parseTarget', () => {
  it.each([
    ['deployment/web', 'Deployment'],
    ['deploy/web', 'Deployment'],
    ['Deployments/web', 'Deployment'],
    ['statefulset/web', 'StatefulSet'],
    ['sts/web', 'StatefulSet'],
  ])('%s is a %s', (ref, kind) => {
    expect(parseTarget(ref, 'shop')).toEqual({ kind, name: 'web', namespace: 'shop' });
  });

  it.each([
    ['', 'shop', /No target/],
    ['web', 'shop', /not of the form/],
    ['pod/web', 'shop', /Unsupported kind "pod"/],
    ['deployment/Web', 'shop', /not a valid object name/],
    ['deployment/web;rm -rf', 'shop', /not a valid object name/],
    ['deployment/a/b', 'shop', /not of the form/],
    ['deployment/web', undefined, /No namespace/],
    ['deployment/web', 'Shop', /not a valid namespace/],
    [`deployment/${'a'.repeat(400)}`, 'shop', /too long/],
  ])('rejects %j in %j with a clear message', (ref, ns, message) => {
    let error: unknown;
    try {
      parseTarget(ref, ns);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AutofixError);
    expect((error as AutofixError).code).toBe('BAD_INPUT');
    expect((error as AutofixError).message).toMatch(message);
    expect((error as AutofixError).hint).toContain('deployment/web -n shop');
  });
});

describe('assertNamespaceAllowed', () => {
  it('denies by default and says how to allow', () => {
    expect(() => assertNamespaceAllowed('shop', [])).toThrow(/AUTOFIX_NAMESPACES is empty/);
    try {
      assertNamespaceAllowed('shop', ['payments']);
    } catch (e) {
      expect((e as AutofixError).code).toBe('NAMESPACE_NOT_ALLOWED');
      expect((e as AutofixError).hint).toContain('AUTOFIX_NAMESPACES=payments,shop');
    }
    expect(() => assertNamespaceAllowed('shop', ['payments', 'shop'])).not.toThrow();
  });
});
