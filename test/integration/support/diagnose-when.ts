// Collects and diagnoses a workload on the sandbox until its findings show what a test waits for.
import { collectEvidence } from '../../../src/agent/collect/collect.js';
import { runAnalyzers } from '../../../src/agent/analyzers/registry.js';
import { diagnoseByRules } from '../../../src/agent/diagnose/rules/rules-engine.js';
import { loadConfig } from '../../../src/config/config.js';
import type { Diagnosis, Evidence, Finding, Target } from '../../../src/domain/index.js';
import { createKubeCluster } from '../../../src/k8s/kube-cluster.js';
import { sandboxEnv } from '../sandbox-env.js';
import { waitFor } from './wait-for.js';

const policy = loadConfig({}).policy;

export interface Diagnosed {
  evidence: Evidence;
  findings: Finding[];
  diagnosis: Diagnosis;
}

/** By default waits for a critical finding (as the eval runner waits for the symptom). */
export async function diagnoseWhen(
  target: Target,
  ready: (findings: Finding[]) => boolean = (fs) => fs.some((f) => f.severity === 'critical'),
  timeoutMs = 90_000,
): Promise<Diagnosed> {
  const cluster = createKubeCluster({ kubeconfig: sandboxEnv().KUBECONFIG });
  return waitFor(
    async () => {
      const { evidence } = await collectEvidence(cluster, target);
      const findings = runAnalyzers(evidence);
      if (!ready(findings)) return null;
      const diagnosis = diagnoseByRules({ evidence, findings, previousAttempts: [], policy });
      return { evidence, findings, diagnosis };
    },
    { what: `${target.kind.toLowerCase()}/${target.name} to show its failure`, timeoutMs },
  );
}

/** Every quoted line of the findings, to check the kubelet's or controller's own words are there. */
export const quotes = (fs: Finding[]): string => fs.flatMap((f) => f.evidence).join('\n');
