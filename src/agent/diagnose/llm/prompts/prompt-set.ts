// The diagnosis prompts as one set, named as MLflow's prompt registry keeps them: what the LLM engine renders.
import type { PromptTemplate } from '../../../../tracking/agent-version.js';
import { loadPrompt, type PromptName } from './load-prompt.js';

/** Every template the engine renders: a new PromptName does not compile until it is listed here. */
const NAMES = { 'diagnose-system': true, 'diagnose-user': true } satisfies Record<PromptName, true>;

export const diagnosisPrompts = (): PromptTemplate[] =>
  (Object.keys(NAMES) as PromptName[]).map((n) => ({ name: `kube-autofix-${n}`, text: loadPrompt(n) }));

/** The prompts an engine of this name renders: the LLM's set, none for the rule engine. */
export const promptsOf = (engine: string): PromptTemplate[] => (engine === 'llm' ? diagnosisPrompts() : []);
