import { benchBot } from './bot-section.js';
const t0 = Date.now();
const r = await benchBot({ redisUrl: 'redis://127.0.0.1:6391', rates: [], memoryCommands: 6000, memoryStep: 1500, memoryRate: 100 });
console.log(JSON.stringify(r.memory.map(m => [m.commands, m.rssMiB, m.heapUsedMiB, m.afterGc])), r.heapGrowthMiBPer1000, (Date.now()-t0)/1000);
