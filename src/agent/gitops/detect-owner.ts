// Recognises Argo CD, Flux and Helm ownership from the labels and annotations each tool puts on what it applies.
import type { GitOpsOwner, KubeObject } from '../../domain/index.js';
import { asStringMap, getIn } from '../../domain/json-access.js';

const ARGO_TRACKING_ID = 'argocd.argoproj.io/tracking-id';
const ARGO_INSTANCE = 'argocd.argoproj.io/instance';
const FLUX_KUSTOMIZE = 'kustomize.toolkit.fluxcd.io';
const FLUX_HELM = 'helm.toolkit.fluxcd.io';
const HELM_RELEASE = 'meta.helm.sh/release-name';
const HELM_NAMESPACE = 'meta.helm.sh/release-namespace';
const MANAGED_BY = 'app.kubernetes.io/managed-by';

function argo(labels: Record<string, string>, annotations: Record<string, string>): GitOpsOwner | null {
  // Annotation tracking (Argo CD's default since 3.0): `<app>:<group>/<kind>:<namespace>/<name>`.
  const tracking = annotations[ARGO_TRACKING_ID];
  if (tracking)
    return {
      tool: 'argocd',
      owner: `Argo CD application ${tracking.split(':')[0]}`,
      markers: [`${ARGO_TRACKING_ID}=${tracking}`],
    };
  const instance = labels[ARGO_INSTANCE];
  return instance
    ? { tool: 'argocd', owner: `Argo CD application ${instance}`, markers: [`${ARGO_INSTANCE}=${instance}`] }
    : null;
}

function flux(labels: Record<string, string>): GitOpsOwner | null {
  for (const [group, kind] of [
    [FLUX_KUSTOMIZE, 'Kustomization'],
    [FLUX_HELM, 'HelmRelease'],
  ] as const) {
    const name = labels[`${group}/name`];
    if (!name) continue;
    const ns = labels[`${group}/namespace`];
    return {
      tool: 'flux',
      owner: `Flux ${kind} ${ns ? `${ns}/` : ''}${name}`,
      markers: [`${group}/name=${name}`, ...(ns ? [`${group}/namespace=${ns}`] : [])],
    };
  }
  return null;
}

function helm(labels: Record<string, string>, annotations: Record<string, string>): GitOpsOwner | null {
  const release = annotations[HELM_RELEASE];
  if (!release && labels[MANAGED_BY] !== 'Helm') return null;
  const ns = annotations[HELM_NAMESPACE];
  return {
    tool: 'helm',
    owner: release ? `Helm release ${release}${ns ? ` in ${ns}` : ''}` : 'a Helm release',
    markers: [
      ...(labels[MANAGED_BY] ? [`${MANAGED_BY}=${labels[MANAGED_BY]}`] : []),
      ...(release ? [`${HELM_RELEASE}=${release}`] : []),
    ],
  };
}

/** The tool that reconciles this object, if any; GitOps controllers win over Helm (they often render charts). */
export function detectGitOpsOwner(workload: KubeObject): GitOpsOwner | null {
  const labels = asStringMap(getIn(workload, ['metadata', 'labels']));
  const annotations = asStringMap(getIn(workload, ['metadata', 'annotations']));
  return argo(labels, annotations) ?? flux(labels) ?? helm(labels, annotations);
}
