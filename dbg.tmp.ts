import { redactText } from './src/safety/redact-text.js';
import { keyValueRanges, spacedValueRanges, namedPairRanges } from './src/safety/key-values.js';
import { structureRanges } from './src/safety/text-structures.js';
import { commandLineRanges } from './src/safety/command-line-secrets.js';
import { credentialContextRanges } from './src/safety/credential-context.js';
import { keyBlockRanges } from './src/safety/key-blocks.js';
import { libraryTokenRanges, ownTokenRanges } from './src/safety/provider-tokens.js';
const t = process.argv[2]!;
const r = redactText(t);
console.log(r);
for (const [n, f] of Object.entries({ keyValueRanges, spacedValueRanges, namedPairRanges, structureRanges, commandLineRanges, credentialContextRanges, keyBlockRanges, libraryTokenRanges, ownTokenRanges }))
  for (const x of f(r)) console.log(n, x, JSON.stringify(r.slice(x[0], x[1])));
