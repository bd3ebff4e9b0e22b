// Reads a prompt template (.md) shipped beside this module, from src (tsx, vitest) or from dist after tsc.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AutofixError, ErrorCode } from '../../../../domain/index.js';

export type PromptName = 'diagnose-system' | 'diagnose-user';

// `tsc` does not copy .md files: in dist/agent/diagnose/llm/prompts/ the second candidate reaches back to the sources
// (dist/ and src/ sit side by side at the package root) unless a build step copied them next to the .js.
const CANDIDATE_DIRS = ['./', '../../../../../src/agent/diagnose/llm/prompts/'];

const cache = new Map<PromptName, string>();

/** The raw template text, header included; cached after the first read. */
export function loadPrompt(name: PromptName): string {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const tried: string[] = [];
  for (const dir of CANDIDATE_DIRS) {
    const path = fileURLToPath(new URL(`${dir}${name}.md`, import.meta.url));
    tried.push(path);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    cache.set(name, text);
    return text;
  }
  throw new AutofixError(
    ErrorCode.Internal,
    `Prompt template ${name}.md not found; looked in ${tried.join(', ')}.`,
    {
      hint: 'Copy src/agent/diagnose/llm/prompts/*.md to dist/agent/diagnose/llm/prompts/ as part of the build.',
    },
  );
}
