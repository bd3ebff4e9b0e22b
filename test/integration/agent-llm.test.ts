// The LLM engine on the sandbox, through the OpenAI stand-in: validated fixes, dry-run feedback, hostile
// proposals that are never applied, and the rule-engine fallback.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOpenAiStandIn, type OpenAiStandIn } from '../../tools/stand-ins/openai-stand-in.js';
import { deployment, type Kube, useNamespace } from './support/kube.js';
import { runCli, runCliHuman } from './support/run-cli.js';
import { waitFor } from './support/wait-for.js';

let k: Kube;
let ns: string;
let llm: OpenAiStandIn;
const LIMIT = '/spec/template/spec/containers/0/resources/limits/memory';
const canary = 'canary-llm-token-0123456789';

const answer = (
  patch: Array<{ op: 'add' | 'replace' | 'remove'; path: string; valueJson: string | null }> | null,
  extra: Record<string, unknown> = {},
) => ({
  json: {
    category: 'oom_killed',
    rootCause: 'Container app is OOMKilled: its 64Mi memory limit is below its working set.',
    summary: 'Raise the memory limit.',
    confidence: 0.9,
    change: patch ? { summary: ['raise the memory limit of app'], patch } : null,
    humanAction: patch ? null : 'Raise the memory limit by hand.',
    ...extra,
  },
});

const generation = async (name: string) =>
  (await k.apps.readNamespacedDeployment({ name, namespace: ns })).metadata?.generation;
const env = () => ({
  AUTOFIX_NAMESPACES: ns,
  OPENAI_API_KEY: llm.apiKey,
  OPENAI_BASE_URL: llm.url,
  AUTOFIX_LLM_MAX_RETRIES: '1',
  AUTOFIX_LLM_TIMEOUT_MS: '5000',
});
const userMessages = (i: number): string => {
  const body = llm.requests[i]?.body as { messages?: Array<{ role: string; content: string }> } | undefined;
  return (body?.messages ?? []).map((m) => m.content).join('\n');
};

useNamespace('llm', (client, name) => {
  k = client;
  ns = name;
});

beforeAll(async () => {
  for (const name of ['oom-a', 'oom-b', 'oom-c', 'oom-d']) {
    await k.apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment(name, {
        image: 'acme/shop-web:1.4.0',
        env: [
          { name: 'DATABASE_URL', value: 'postgres://db/shop' },
          { name: 'API_TOKEN', value: canary },
        ],
        resources: { limits: { memory: '64Mi' } },
      }),
    });
  }
  await waitFor(
    async () => {
      const pods = (await k.core.listNamespacedPod({ namespace: ns })).items;
      return pods.length >= 4 && pods.every((p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) > 0);
    },
    { what: 'all four deployments OOM-looping' },
  );
});

beforeEach(async () => {
  llm = await startOpenAiStandIn();
  return () => llm.close();
});

describe('LLM engine on the sandbox', () => {
  it('a good fix is validated by the policy and a real server-side dry-run; no secret reaches the model', async () => {
    llm.push(answer([{ op: 'replace', path: LIMIT, valueJson: '"256Mi"' }]));
    const r = await runCli('diagnose', 'deployment/oom-a', { namespace: ns }, env());
    expect(r.json.outcome).toBe('proposed');
    expect(r.json.diagnosis?.engine).toBe('llm');
    expect(r.json.proposal?.diff).toMatch(/\+\s+memory: 256Mi/);
    expect(r.json.validation?.dryRun.ok).toBe(true);
    const req = llm.requests[0]!;
    expect(req.problems).toEqual([]);
    expect(JSON.stringify(req.body)).not.toContain(canary);
    expect(JSON.stringify(req.body)).toContain('"strict":true');
  });

  it('an engine summary that lies about its patch: approvers see what the patch really does', async () => {
    const lie = answer(null, {
      change: {
        summary: ['rotate the API token to a fresh value'],
        patch: [{ op: 'replace', path: LIMIT, valueJson: '"128Mi"' }],
      },
      humanAction: null,
    });
    llm.push(lie);
    const r = await runCli('diagnose', 'deployment/oom-a', { namespace: ns }, env());
    expect(r.json.outcome).toBe('proposed');
    expect(r.json.proposal?.changes).toEqual(['container app: resources.limits.memory 64Mi → 128Mi']);
    expect(r.json.proposal?.engineExplanation).toEqual(['rotate the API token to a fresh value']);
    llm.push(lie);
    const human = await runCliHuman('diagnose', 'deployment/oom-a', { namespace: ns }, env());
    expect(human.stdout).toMatch(
      /Change \(computed from the diff\):\n {2}- container app: resources\.limits\.memory 64Mi → 128Mi/,
    );
    expect(human.stdout).toMatch(
      /Engine's explanation \(its own words, not verified\): rotate the API token/,
    );
  });

  it('a fix the API server rejects in dry-run is fed back, and the corrected one is proposed (2 iterations)', async () => {
    // `limitz` passes the scope lock (inside resources) but strict field validation rejects it.
    llm.push(
      answer([
        {
          op: 'add',
          path: '/spec/template/spec/containers/0/resources/limitz',
          valueJson: '{"memory":"256Mi"}',
        },
      ]),
    );
    llm.push(answer([{ op: 'replace', path: LIMIT, valueJson: '"256Mi"' }]));
    const r = await runCli('diagnose', 'deployment/oom-b', { namespace: ns }, env());
    expect(r.json.outcome).toBe('proposed');
    expect(r.json.iterations).toBe(2);
    expect(userMessages(1)).toMatch(/dry-run/);
    expect(userMessages(1)).toMatch(/limitz/);
  });

  it('hostile fixes (privileged, another namespace, hostPath) are rejected by the policy and never applied', async () => {
    const before = await generation('oom-c');
    llm.push(
      answer([
        {
          op: 'add',
          path: '/spec/template/spec/containers/0/securityContext',
          valueJson: '{"privileged":true}',
        },
      ]),
      answer([{ op: 'replace', path: '/metadata/namespace', valueJson: '"kube-system"' }]),
      answer([
        {
          op: 'add',
          path: '/spec/template/spec/volumes',
          valueJson: '[{"name":"root","hostPath":{"path":"/"}}]',
        },
      ]),
    );
    const r = await runCli('fix', 'deployment/oom-c', { namespace: ns, yes: true }, env());
    expect(r.json.outcome).toBe('no_safe_fix');
    expect(r.json.apply).toBeNull();
    expect(r.json.iterations).toBe(3);
    expect(r.code).toBe(1);
    expect(r.json.validation?.policy.ok).toBe(false);
    expect(userMessages(1)).toMatch(/privileged/);
    expect(userMessages(2)).toMatch(/namespace/);
    expect(await generation('oom-c')).toBe(before);
  });

  it('a refusal falls back to the rule engine, which says so', async () => {
    llm.push({ refusal: 'I cannot help with that.' });
    const r = await runCli(
      'diagnose',
      'deployment/oom-d',
      { namespace: ns },
      { ...env(), AUTOFIX_LLM_MAX_RETRIES: '0' },
    );
    expect(r.json.diagnosis?.engine).toBe('rules');
    expect(r.json.outcome).toBe('proposed');
    llm.push({ refusal: 'I cannot help with that.' });
    const human = await runCliHuman(
      'diagnose',
      'deployment/oom-d',
      { namespace: ns },
      { ...env(), AUTOFIX_LLM_MAX_RETRIES: '0' },
    );
    expect(human.stdout).toMatch(/LLM unavailable/);
  });
});
