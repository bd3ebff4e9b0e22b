// The ConfigMaps, Secrets and PVCs a pod template refers to (env, envFrom, volumes), by kind and name.
import { at, list, record, text } from '../../analyzers/kube-json.js';

export interface TemplateReference {
  kind: 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim';
  name: string;
}

function ref(kind: TemplateReference['kind'], name: unknown): TemplateReference[] {
  const n = text(name);
  return n ? [{ kind, name: n }] : [];
}

function containerRefs(container: unknown): TemplateReference[] {
  const env = list(at(container, 'env')).flatMap((e) => [
    ...ref('ConfigMap', at(e, 'valueFrom', 'configMapKeyRef', 'name')),
    ...ref('Secret', at(e, 'valueFrom', 'secretKeyRef', 'name')),
  ]);
  const envFrom = list(at(container, 'envFrom')).flatMap((e) => [
    ...ref('ConfigMap', at(e, 'configMapRef', 'name')),
    ...ref('Secret', at(e, 'secretRef', 'name')),
  ]);
  return [...env, ...envFrom];
}

function volumeRefs(volume: unknown): TemplateReference[] {
  const v = record(volume);
  const projected = list(at(v, 'projected', 'sources')).flatMap((s) => [
    ...ref('ConfigMap', at(s, 'configMap', 'name')),
    ...ref('Secret', at(s, 'secret', 'name')),
  ]);
  return [
    ...ref('ConfigMap', at(v, 'configMap', 'name')),
    ...ref('Secret', at(v, 'secret', 'secretName')),
    ...ref('PersistentVolumeClaim', at(v, 'persistentVolumeClaim', 'claimName')),
    ...projected,
  ];
}

export function templateReferences(template: unknown): TemplateReference[] {
  const spec = at(template, 'spec');
  const containers = [...list(at(spec, 'containers')), ...list(at(spec, 'initContainers'))];
  return [...containers.flatMap(containerRefs), ...list(at(spec, 'volumes')).flatMap(volumeRefs)];
}
