// The "agent version" a run belongs to — kube-autofix version, engine, model and prompt version — kept in MLflow
// the way it intends: the diagnosis prompts in the prompt registry (a new version only when the text changed),
// linked to the run (`mlflow.linkedPrompts`), and the version as a LoggedModel the run takes as its input.
import { createHash } from 'node:crypto';
import type { MlflowClient } from './mlflow-client.js';

export interface PromptTemplate {
  /** The registry name, e.g. kube-autofix-diagnose-system. */
  name: string;
  text: string;
}

export interface AgentVersion {
  kubeAutofix: string;
  engine: string;
  model: string;
  /** The templates the engine renders; none for the rule engine. */
  prompts: PromptTemplate[];
}

export interface RegisteredPrompt {
  name: string;
  version: string;
}

export const AGENT_VERSION_TAG = 'autofix.agent_version';
export const PROMPT_VERSION_TAG = 'autofix.prompt_version';
export const LINKED_PROMPTS_TAG = 'mlflow.linkedPrompts';

/** The prompts' content digest (12 hex), `none` without prompts: the same text is the same version anywhere. */
export function promptVersion(prompts: readonly PromptTemplate[]): string {
  if (prompts.length === 0) return 'none';
  const h = createHash('sha256');
  for (const p of [...prompts].sort((a, b) => a.name.localeCompare(b.name)))
    h.update(`${p.name}\0${p.text}\0`);
  return h.digest('hex').slice(0, 12);
}

/** `0.1.0/llm/gpt-4o-mini/3f2a…`: what runs group by. */
export const versionKey = (kubeAutofix: string, engine: string, model: string, prompts: string): string =>
  `${kubeAutofix}/${engine}/${model}/${prompts}`;

export const agentVersionKey = (v: AgentVersion): string =>
  versionKey(v.kubeAutofix, v.engine, v.model, promptVersion(v.prompts));

/** Each template in the prompt registry: the latest version when its text is the same, else a new version. */
export async function registerPrompts(
  client: MlflowClient,
  prompts: readonly PromptTemplate[],
): Promise<RegisteredPrompt[]> {
  const out: RegisteredPrompt[] = [];
  for (const p of prompts)
    out.push({ name: p.name, version: await client.registerPromptVersion(p.name, p.text) });
  return out;
}

/** The tags of a run of this agent version; `linked` are the registry versions of its prompts. */
export function agentVersionTags(
  v: AgentVersion,
  linked: readonly RegisteredPrompt[],
): Record<string, string> {
  return {
    [AGENT_VERSION_TAG]: agentVersionKey(v),
    [PROMPT_VERSION_TAG]: promptVersion(v.prompts),
    ...(linked.length ? { [LINKED_PROMPTS_TAG]: JSON.stringify(linked) } : {}),
  };
}

/** The LoggedModel of this agent version in the experiment, created (and made ready) on first use. */
export async function agentModel(
  client: MlflowClient,
  experimentId: string,
  v: AgentVersion,
  linked: readonly RegisteredPrompt[],
): Promise<string> {
  const key = agentVersionKey(v);
  const found = await client.findLoggedModel(experimentId, AGENT_VERSION_TAG, key);
  if (found) return found;
  return client.createLoggedModel({
    experimentId,
    name: `kube-autofix-${v.engine}-${v.model}`.replace(/[^\w.-]+/g, '-'),
    modelType: 'agent',
    // The prompt versions linked the way MLflow's link_prompt_version_to_model does: a tag on the model.
    tags: { ...agentVersionTags(v, linked) },
    params: {
      kube_autofix_version: v.kubeAutofix,
      engine: v.engine,
      model: v.model,
      prompt_version: promptVersion(v.prompts),
    },
  });
}
