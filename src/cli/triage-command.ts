// `kube-autofix triage -n <namespace>`: the namespace's unhealthy workloads, one diagnosis line each, most severe first.
import { loadConfig } from '../config/config.js';
import { AutofixError, DNS1123_LABEL, ErrorCode, isAutofixError } from '../domain/index.js';
import { createKubeCluster } from '../k8s/kube-cluster.js';
import { assertNamespaceAllowed } from '../safety/namespace-allowlist.js';
import { triageNamespace, type TriageReport } from '../agent/triage.js';
import type { CommandIo } from './investigate-command.js';

export interface TriageOptions {
  namespace: string;
  json?: boolean;
}

export function renderTriage(r: TriageReport): string {
  const head = `${r.namespace}: ${r.unhealthy.length} of ${r.workloads} workloads unhealthy (${r.apiCalls} API calls)`;
  const rows = r.unhealthy.map(
    (i) =>
      `${i.severity === 'critical' ? '!!' : ' !'} ${`${i.target.kind.toLowerCase()}/${i.target.name}`.padEnd(40)} ${i.ready.padStart(6)}  ${i.category}: ${i.line}`,
  );
  const next =
    r.unhealthy.length > 0
      ? [`Investigate one: kube-autofix diagnose <kind>/<name> -n ${r.namespace}`]
      : ['Nothing to investigate.'];
  return [head, ...rows, ...next].join('\n') + '\n';
}

export async function runTriageCommand(opts: TriageOptions, io: CommandIo): Promise<number> {
  try {
    if (!DNS1123_LABEL.test(opts.namespace))
      throw new AutofixError(ErrorCode.BadInput, `"${opts.namespace}" is not a valid namespace name.`);
    const config = loadConfig(io.env);
    assertNamespaceAllowed(opts.namespace, config.namespaces);
    const cluster = createKubeCluster({ kubeconfig: config.kubeconfig ?? undefined });
    const report = await triageNamespace(cluster, opts.namespace, config.policy);
    io.stdout(opts.json ? `${JSON.stringify(report)}\n` : renderTriage(report));
    return report.unhealthy.length > 0 ? 1 : 0;
  } catch (e) {
    if (!isAutofixError(e)) throw e;
    io.stderr(`kube-autofix: ${e.describe()}\n`);
    return e.exitCode;
  }
}
