// GitOps/Helm awareness: owners recognised by their own labels, the refuse/warn/allow decision, the patch to commit, the apply guard.
import { describe, it, expect } from 'vitest';
import { commitPatch } from '../../../../src/agent/gitops/commit-patch.js';
import { detectGitOpsOwner } from '../../../../src/agent/gitops/detect-owner.js';
import { assertLiveApplyAllowed, gitopsAdvice } from '../../../../src/agent/gitops/gitops-advice.js';
import { gitopsDecision } from '../../../../src/agent/gitops/gitops-decision.js';
import { AutofixError, ErrorCode, type KubeObject, type Target } from '../../../../src/domain/index.js';
import { parse } from 'yaml';
import { deployment } from '../../../fixtures/index.js';

const TARGET: Target = { kind: 'Deployment', name: 'web', namespace: 'shop' };

function managed(labels: Record<string, string>, annotations: Record<string, string> = {}): KubeObject {
  const d = deployment({
    containers: [
      { name: 'sidecar', image: 'busybox:1.36' },
      { name: 'web', image: 'nginx:1.25', resources: { limits: { memory: '64Mi' } } },
    ],
  });
  const meta = d.metadata as { labels: Record<string, string>; annotations: Record<string, string> };
  Object.assign(meta.labels, labels);
  Object.assign(meta.annotations, annotations);
  return d;
}

function raisedMemory(d: KubeObject): KubeObject {
  const after = structuredClone(d);
  const c = (after.spec as { template: { spec: { containers: Array<Record<string, unknown>> } } }).template
    .spec.containers[1]!;
  c.resources = { limits: { memory: '128Mi' } };
  return after;
}

const ARGO = { 'argocd.argoproj.io/tracking-id': 'shop-web:apps/Deployment:shop/web' };
const FLUX = {
  'kustomize.toolkit.fluxcd.io/name': 'apps',
  'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
};
const HELM_LABELS = { 'app.kubernetes.io/managed-by': 'Helm' };
const HELM_ANNOTATIONS = { 'meta.helm.sh/release-name': 'web', 'meta.helm.sh/release-namespace': 'shop' };

describe('detectGitOpsOwner', () => {
  it('recognises Argo CD (annotation and label tracking), Flux and Helm by their own markers', () => {
    expect(detectGitOpsOwner(managed({}, ARGO))?.owner).toBe('Argo CD application shop-web');
    expect(detectGitOpsOwner(managed({ 'argocd.argoproj.io/instance': 'legacy' }))?.owner).toBe(
      'Argo CD application legacy',
    );
    expect(detectGitOpsOwner(managed(FLUX))?.owner).toBe('Flux Kustomization flux-system/apps');
    expect(
      detectGitOpsOwner(
        managed({ 'helm.toolkit.fluxcd.io/name': 'web', 'helm.toolkit.fluxcd.io/namespace': 'shop' }),
      )?.owner,
    ).toBe('Flux HelmRelease shop/web');
    expect(detectGitOpsOwner(managed(HELM_LABELS, HELM_ANNOTATIONS))?.owner).toBe('Helm release web in shop');
    expect(detectGitOpsOwner(managed({}))).toBeNull();
  });

  it('lets Flux win over the Helm labels its helm-controller also sets', () => {
    const d = managed({ ...HELM_LABELS, 'helm.toolkit.fluxcd.io/name': 'web' }, HELM_ANNOTATIONS);
    expect(detectGitOpsOwner(d)?.tool).toBe('flux');
  });
});

describe('gitopsDecision', () => {
  it('defaults to refuse for Argo CD and Flux, warn for Helm; AUTOFIX_GITOPS_MODE overrides', () => {
    const argo = detectGitOpsOwner(managed({}, ARGO))!;
    const helm = detectGitOpsOwner(managed(HELM_LABELS, HELM_ANNOTATIONS))!;
    expect(gitopsDecision(argo, null)).toMatchObject({ mode: 'refuse', liveApply: false });
    expect(gitopsDecision(argo, null).meaning).toContain('self-heal');
    expect(gitopsDecision(helm, null)).toMatchObject({ mode: 'warn', liveApply: true });
    expect(gitopsDecision(helm, null).meaning).toContain('helm upgrade');
    expect(gitopsDecision(argo, 'allow').liveApply).toBe(true);
    expect(gitopsDecision(helm, 'refuse').liveApply).toBe(false);
  });
});

describe('the change as something to commit', () => {
  it('is a strategic-merge patch of only the changed field, the container named by its merge key', () => {
    const before = managed({}, ARGO);
    const text = commitPatch(TARGET, before, raisedMemory(before));
    expect(text).toContain('kustomization.yaml');
    expect(parse(text)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        template: { spec: { containers: [{ name: 'web', resources: { limits: { memory: '128Mi' } } }] } },
      },
    });
  });

  it('names the Helm value most likely behind the field', () => {
    const before = managed(HELM_LABELS, HELM_ANNOTATIONS);
    const advice = gitopsAdvice(TARGET, before, raisedMemory(before), null);
    expect(advice?.valuesHint).toEqual([
      '`resources.limits.memory` most likely controls it (chart convention; check with `helm get values web`)',
    ]);
    expect(gitopsAdvice(TARGET, managed({}), raisedMemory(managed({})), null)).toBeNull();
  });
});

describe('assertLiveApplyAllowed', () => {
  it('refuses a live apply on an Argo CD object under refuse, with a coded error, and allows it under allow', () => {
    const live = managed({}, ARGO);
    let error: unknown = null;
    try {
      assertLiveApplyAllowed(TARGET, live, null);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AutofixError);
    expect((error as AutofixError).code).toBe(ErrorCode.GitOpsManaged);
    expect((error as AutofixError).exitCode).toBe(2);
    expect((error as AutofixError).message).toContain('Argo CD application shop-web; nothing was applied');
    expect(() => assertLiveApplyAllowed(TARGET, live, 'allow')).not.toThrow();
    expect(() => assertLiveApplyAllowed(TARGET, managed(HELM_LABELS, HELM_ANNOTATIONS), null)).not.toThrow();
    expect(() => assertLiveApplyAllowed(TARGET, managed({}), 'refuse')).not.toThrow();
  });
});
