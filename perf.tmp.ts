import { redactText } from './src/safety/redact-text.js';
import { redactText as before } from './bench/redact-text-before.js';
import { libraryTokenRanges, ownTokenRanges } from './src/safety/provider-tokens.js';
import { keyValueRanges, spacedValueRanges, namedPairRanges } from './src/safety/key-values.js';
import { structureRanges } from './src/safety/text-structures.js';
import { commandLineRanges } from './src/safety/command-line-secrets.js';
import { credentialContextRanges } from './src/safety/credential-context.js';
import { keyBlockRanges } from './src/safety/key-blocks.js';
const logLine = '2026-11-28T04:00:00Z level=error msg="upstream auth failed" Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig user=ops password=hunter2';
const bigLog = Array.from({ length: 1000 }, (_, i) => `${logLine} #${i}`).join('\n');
function t(name: string, f: () => unknown, n = 5) { f(); const s = performance.now(); for (let i = 0; i < n; i++) f(); const ms = (performance.now() - s) / n; console.log(name, ms.toFixed(1), 'ms', (bigLog.length / 1e6 / (ms / 1000)).toFixed(2), 'MB/s'); }
t('before', () => before(bigLog));
t('now', () => redactText(bigLog));
for (const [n, f] of Object.entries({ libraryTokenRanges, ownTokenRanges, keyValueRanges, spacedValueRanges, namedPairRanges, structureRanges, commandLineRanges, credentialContextRanges, keyBlockRanges })) t(n, () => f(bigLog));
