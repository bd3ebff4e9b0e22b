// Builds the system and user messages of a diagnosis request from redacted evidence, findings and policy.
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { PolicyConfig } from '../../../config/config.js';
import { Category, describeTarget, formatBytes, formatCpu, type Finding } from '../../../domain/index.js';
import {
  MUTABLE_CONTAINER_FIELDS,
  MUTABLE_SCHEDULING_FIELDS,
  MUTABLE_TEMPLATE_ANNOTATIONS,
} from '../../../safety/scope-lock.js';
import { loadPrompt } from './prompts/load-prompt.js';
import { renderTemplate } from './prompts/render-template.js';
import { compactEvidence, DEFAULT_EVIDENCE_BUDGET_CHARS } from './compact-evidence.js';
import type { AttemptFeedback, DiagnosisInput } from '../engine.js';

// Typed as a full record so a new category cannot ship without telling the model what it means.
const CATEGORY_MEANINGS: Record<Category, string> = {
  image_pull: 'the image cannot be pulled (wrong name or tag, registry auth, registry unreachable)',
  crash_loop: 'a container exits repeatedly (bad command, args or env, application error)',
  oom_killed: 'a container is killed for exceeding its memory limit (reason OOMKilled, exit code 137)',
  probe_failure: 'liveness, readiness or startup probes fail (wrong path or port, too little delay)',
  unschedulable: 'pods cannot be placed (requests too large, node selector or affinity, taints)',
  missing_config: 'a referenced ConfigMap, Secret, key or PersistentVolumeClaim does not exist',
  quota_exceeded: 'a ResourceQuota or LimitRange prevents pods from being created',
  healthy: 'nothing is wrong with the workload',
  unknown: 'the evidence does not support any diagnosis',
};

const MAX_FINDINGS = 20;

export function describeCategories(): string {
  return Category.options.map((c) => `- \`${c}\`: ${CATEGORY_MEANINGS[c]}`).join('\n');
}

const code = (names: readonly string[]): string => names.map((n) => `\`${n}\``).join(', ');

// Field lists come from the scope lock itself, so the prompt cannot promise what the policy rejects.
export function describePolicy(policy: PolicyConfig): string {
  const registries =
    policy.allowedRegistries.length > 0
      ? `Images may come only from these registries: ${policy.allowedRegistries.join(', ')} (docker.io covers unqualified images).`
      : 'Images may come from any registry.';
  const restricted =
    policy.level === 'restricted'
      ? ' Level "restricted" also requires runAsNonRoot, allowPrivilegeEscalation false, all capabilities dropped and a RuntimeDefault or Localhost seccomp profile.'
      : '';
  return [
    '- Only the target object may change. Its kind, name, namespace, `spec.selector` and the pod-template labels the selector matches are immutable.',
    `- Allowed fields: \`spec.replicas\`; in each container and init container of the pod template: ${code(MUTABLE_CONTAINER_FIELDS)}; scheduling fields of the pod template spec: ${code(MUTABLE_SCHEDULING_FIELDS)}; the pod template annotation ${code(MUTABLE_TEMPLATE_ANNOTATIONS)}. Nothing else.`,
    '- `env` and `envFrom` must not start reading a Secret the workload does not read already.',
    '- Tolerations must not tolerate every taint (operator Exists without a key) nor control-plane taints.',
    `- The resulting pod must satisfy the Kubernetes Pod Security Standard "${policy.level}": no privileged containers, no host namespaces (hostNetwork, hostPID, hostIPC), no hostPath volumes, no hostPort, no added capabilities beyond the baseline set, no unsafe sysctls.${restricted}`,
    `- Caps: memory limit at most ${formatBytes(policy.maxMemoryBytes)} and CPU limit at most ${formatCpu(policy.maxCpuCores)} per container; replicas at most ${policy.maxReplicas}.`,
    `- ${registries}`,
  ].join('\n');
}

/** A finding's quotes minus those its message or facts already carry (the evidence holds them all anyway). */
function newQuotes(f: Finding): string[] {
  const said = `${f.message}\n${JSON.stringify(f.facts)}`;
  return f.evidence
    .filter((q) => !said.includes(JSON.stringify(q).slice(1, -1)) && !said.includes(q))
    .slice(0, 3);
}

/** One finding per line as compact JSON; quotes that repeat the finding's own facts are left out. */
export function describeFindings(findings: Finding[]): string {
  if (findings.length === 0) return 'No analyzer matched; rely on the evidence alone.';
  const lines = findings.slice(0, MAX_FINDINGS).map((f) => {
    const quotes = newQuotes(f);
    const { evidence: _all, ...rest } = f;
    return JSON.stringify(quotes.length > 0 ? { ...rest, evidence: quotes } : rest);
  });
  const more =
    findings.length > MAX_FINDINGS ? [`(${findings.length - MAX_FINDINGS} more findings omitted)`] : [];
  return [...lines, ...more].join('\n');
}

export function describeAttempts(attempts: AttemptFeedback[]): string {
  if (attempts.length === 0) return 'None: this is the first attempt.';
  const blocks = attempts.map((a) =>
    [
      `### Attempt ${a.iteration}`,
      `Change: ${a.change ? JSON.stringify(a.change) : 'none proposed'}`,
      'Errors, verbatim:',
      ...a.errors.map((e) => `- ${e}`),
    ].join('\n'),
  );
  return [
    'Each change below was rejected or did not heal the workload. Do not repeat it: address the errors, or set `change` to null if no safe change remains.',
    ...blocks,
  ].join('\n\n');
}

/** Earlier outcomes as compact lines; the model weighs them against today's evidence. */
export function describeHistory(history: readonly string[] | undefined): string {
  if (!history || history.length === 0) return 'None recorded.';
  return history.map((h) => `- ${h}`).join('\n');
}

/** System + user messages; the evidence is already redacted by the collector and is only trimmed here. */
export function buildPrompt(
  input: DiagnosisInput,
  evidenceBudgetChars = DEFAULT_EVIDENCE_BUDGET_CHARS,
): ChatCompletionMessageParam[] {
  const system = renderTemplate(
    loadPrompt('diagnose-system'),
    { categories: describeCategories(), policyRules: describePolicy(input.policy) },
    'diagnose-system.md',
  );
  const user = renderTemplate(
    loadPrompt('diagnose-user'),
    {
      target: describeTarget(input.evidence.target),
      evidence: compactEvidence(input.evidence, evidenceBudgetChars),
      findings: describeFindings(input.findings),
      previousAttempts: describeAttempts(input.previousAttempts),
      history: describeHistory(input.history),
    },
    'diagnose-user.md',
  );
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}
