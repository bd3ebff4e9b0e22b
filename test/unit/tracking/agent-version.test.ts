import { describe, expect, it } from 'vitest';
import { diagnosisPrompts, promptsOf } from '../../../src/agent/diagnose/llm/prompts/prompt-set.js';
import {
  agentModel,
  agentVersionKey,
  agentVersionTags,
  promptVersion,
  registerPrompts,
  type AgentVersion,
} from '../../../src/tracking/agent-version.js';
import type { MlflowClient, NewLoggedModel } from '../../../src/tracking/mlflow-client.js';

const A = { name: 'kube-autofix-a', text: 'system {{x}}' };
const B = { name: 'kube-autofix-b', text: 'user {{y}}' };

/** The three registry/LoggedModel calls, kept in memory; nothing else is used. */
function registry(): {
  client: MlflowClient;
  versions: Map<string, string[]>;
  models: NewLoggedModel[];
} {
  const versions = new Map<string, string[]>();
  const models: NewLoggedModel[] = [];
  const client = {
    async registerPromptVersion(name: string, text: string) {
      const texts = versions.get(name) ?? [];
      if (texts.at(-1) !== text) texts.push(text);
      versions.set(name, texts);
      return String(texts.length);
    },
    async findLoggedModel(_experimentId: string, key: string, value: string) {
      const i = models.findIndex((m) => m.tags[key] === value);
      return i < 0 ? null : `m-${i}`;
    },
    async createLoggedModel(input: NewLoggedModel) {
      models.push(input);
      return `m-${models.length - 1}`;
    },
  } as unknown as MlflowClient;
  return { client, versions, models };
}

describe('agent version', () => {
  it('the prompt version is a digest of names and texts, in any order; none without prompts', () => {
    expect(promptVersion([A, B])).toMatch(/^[0-9a-f]{12}$/);
    expect(promptVersion([B, A])).toBe(promptVersion([A, B]));
    expect(promptVersion([A, { ...B, text: 'user {{z}}' }])).not.toBe(promptVersion([A, B]));
    expect(promptVersion([A, { ...B, name: 'kube-autofix-c' }])).not.toBe(promptVersion([A, B]));
    expect(promptVersion([])).toBe('none');
  });

  it('the LLM engine renders the diagnosis prompts; the rule engine none', () => {
    expect(promptsOf('llm').map((p) => p.name)).toEqual([
      'kube-autofix-diagnose-system',
      'kube-autofix-diagnose-user',
    ]);
    expect(promptsOf('llm').every((p) => p.text.length > 0)).toBe(true);
    expect(promptsOf('rules')).toEqual([]);
    expect(promptVersion(promptsOf('llm'))).toBe(promptVersion(diagnosisPrompts()));
  });

  it('tags name version, engine, model and prompts; linked prompts only when registered', () => {
    const v: AgentVersion = { kubeAutofix: '1.2.3', engine: 'llm', model: 'gpt-4o-mini', prompts: [A, B] };
    expect(agentVersionKey(v)).toBe(`1.2.3/llm/gpt-4o-mini/${promptVersion([A, B])}`);
    expect(agentVersionTags(v, [])).toEqual({
      'autofix.agent_version': agentVersionKey(v),
      'autofix.prompt_version': promptVersion([A, B]),
    });
    const linked = [{ name: A.name, version: '2' }];
    expect(JSON.parse(agentVersionTags(v, linked)['mlflow.linkedPrompts']!)).toEqual(linked);
    const rules = { ...v, engine: 'rules', model: 'rules', prompts: [] };
    expect(agentVersionTags(rules, [])).toEqual({
      'autofix.agent_version': '1.2.3/rules/rules/none',
      'autofix.prompt_version': 'none',
    });
  });

  it('a prompt registered again with the same text keeps its version; a changed text is the next', async () => {
    const r = registry();
    expect(await registerPrompts(r.client, [A, B])).toEqual([
      { name: A.name, version: '1' },
      { name: B.name, version: '1' },
    ]);
    expect(await registerPrompts(r.client, [A, B])).toEqual([
      { name: A.name, version: '1' },
      { name: B.name, version: '1' },
    ]);
    expect(await registerPrompts(r.client, [{ ...A, text: 'system v2' }])).toEqual([
      { name: A.name, version: '2' },
    ]);
  });

  it('one LoggedModel per agent version in an experiment, carrying its tags and params', async () => {
    const r = registry();
    const v: AgentVersion = { kubeAutofix: '1.2.3', engine: 'llm', model: 'qwen/2.5:7b', prompts: [A] };
    const linked = [{ name: A.name, version: '1' }];
    const id = await agentModel(r.client, '7', v, linked);
    expect(await agentModel(r.client, '7', v, linked)).toBe(id);
    expect(await agentModel(r.client, '7', { ...v, model: 'other' }, linked)).not.toBe(id);
    expect(r.models).toHaveLength(2);
    expect(r.models[0]).toMatchObject({
      experimentId: '7',
      name: 'kube-autofix-llm-qwen-2.5-7b',
      modelType: 'agent',
      tags: agentVersionTags(v, linked),
      params: { kube_autofix_version: '1.2.3', engine: 'llm', model: 'qwen/2.5:7b' },
    });
  });
});
