// Lossless shrinking for the prompt: API defaults, empty values and repeated templates say nothing new.
import type { KubeObject, PodSummary, RevisionSummary } from '../../../domain/index.js';
import { isRecord as isObject, type JsonRecord as Json } from '../../../domain/json-access.js';

/** Values the API server fills in when a manifest leaves them out (dropped only when equal). */
const CONTAINER_DEFAULTS: Json = {
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  imagePullPolicy: 'IfNotPresent',
};
const POD_SPEC_DEFAULTS: Json = {
  restartPolicy: 'Always',
  dnsPolicy: 'ClusterFirst',
  schedulerName: 'default-scheduler',
  terminationGracePeriodSeconds: 30,
};
const WORKLOAD_SPEC_DEFAULTS: Json = { revisionHistoryLimit: 10, progressDeadlineSeconds: 600 };
const DEFAULT_STRATEGY = JSON.stringify({
  type: 'RollingUpdate',
  rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
});

const withoutDefaults = (o: Json, defaults: Json): Json =>
  Object.fromEntries(Object.entries(o).filter(([k, v]) => !(k in defaults) || defaults[k] !== v));

/** null, [] and {} removed everywhere (false and 0 stay: they are facts). */
export function dropEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropEmpty);
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    const lean = dropEmpty(v);
    if (lean === null || lean === undefined) continue;
    if (Array.isArray(lean) && lean.length === 0) continue;
    if (isObject(lean) && Object.keys(lean).length === 0) continue;
    out[k] = lean;
  }
  return out;
}

function leanContainer(c: unknown): unknown {
  if (!isObject(c)) return c;
  const ports = Array.isArray(c.ports)
    ? c.ports.map((p) => (isObject(p) ? withoutDefaults(p, { protocol: 'TCP' }) : p))
    : c.ports;
  return { ...withoutDefaults(c, CONTAINER_DEFAULTS), ...(ports ? { ports } : {}) };
}

/** A pod template without API defaults; container order (and so JSON Pointer indexes) unchanged. */
export function leanTemplate(template: unknown): unknown {
  if (!isObject(template) || !isObject(template.spec)) return template;
  const spec = withoutDefaults(template.spec, POD_SPEC_DEFAULTS);
  for (const key of ['containers', 'initContainers'])
    if (Array.isArray(spec[key])) spec[key] = (spec[key] as unknown[]).map(leanContainer);
  return { ...template, spec };
}

/** The workload's spec without defaults (the template included). */
export function leanWorkloadSpec(workload: KubeObject): KubeObject {
  if (!isObject(workload.spec)) return workload;
  const spec = withoutDefaults(workload.spec, WORKLOAD_SPEC_DEFAULTS);
  if (JSON.stringify(spec.strategy) === DEFAULT_STRATEGY) delete spec.strategy;
  if (spec.template) spec.template = leanTemplate(spec.template);
  return { ...workload, spec };
}

/** Revisions whose template is the live one say so instead of repeating it. */
export function leanRevisions(revisions: RevisionSummary[], workload: KubeObject): unknown[] {
  const live = JSON.stringify(
    dropEmpty(leanTemplate(isObject(workload.spec) ? workload.spec.template : null)),
  );
  return revisions.map((r) => {
    const template = dropEmpty(leanTemplate(r.template));
    return JSON.stringify(template) === live
      ? { ...r, template: 'same as workload.spec.template' }
      : { ...r, template };
  });
}

/** Pod conditions that are True without a reason are the normal case; only the others are kept. */
export function leanPod(p: PodSummary): unknown {
  const { podTemplateHash: _hash, deleting, ...rest } = p;
  return {
    ...rest,
    ...(deleting ? { deleting } : {}),
    conditions: p.conditions.filter((c) => c.status !== 'True' || c.reason !== null),
  };
}
