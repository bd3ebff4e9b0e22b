import { redactText } from './src/safety/redact-text.js';
const logLine = '2026-11-28T04:00:00Z level=error msg="upstream auth failed" Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig user=ops password=hunter2';
const bigLog = Array.from({ length: 1000 }, (_, i) => `${logLine} #${i}`).join('\n');
for (let i = 0; i < 30; i++) redactText(bigLog);
