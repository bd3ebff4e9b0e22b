// Copies non-TypeScript assets (prompt templates) next to the compiled modules in dist/.
import { cpSync } from 'node:fs';

cpSync('src/agent/diagnose/llm/prompts', 'dist/agent/diagnose/llm/prompts', {
  recursive: true,
  filter: (p) => !p.endsWith('.ts'),
});
