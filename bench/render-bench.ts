// The bench report's shape and its plain-text tables.
import type { AlertsSection } from './alerts-section.js';
import type { BotSection } from './bot-section.js';
import type { FunctionsBench } from './functions-bench.js';
import type { ReplayBench } from './replay-bench.js';
import type { PromptRow } from './prompt-section.js';
import type { ServiceCode } from './spawn-service.js';
import type { TrackingSection } from './tracking-section.js';
import type { WorkerRow } from './worker-section.js';

export interface BenchReport {
  machine: { cpus: number; model: string; memoryGiB: number; node: string; loadAverage: number[] };
  /** Where the service processes ran from (the built dist/, or src/ under tsx). */
  services?: ServiceCode;
  tracking?: TrackingSection;
  bot?: BotSection;
  alerts?: AlertsSection;
  /** The bot's bursts with 5 clusters registered. */
  botClusters?: BotSection;
  worker?: WorkerRow[];
  prompt?: PromptRow[];
  functions?: FunctionsBench;
  replay?: ReplayBench;
}

const cell = (v: unknown): string => (v === null || v === undefined ? '-' : String(v));

export function table(head: string[], rows: unknown[][]): string[] {
  const all = [head, ...rows.map((r) => r.map(cell))];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return all.map((r) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}

function trackingLines(t: TrackingSection): string[] {
  const on = t.rows.find((r) => r.tracking === 'on');
  return [
    '## Tracking off and on: one start process (concurrency 2, rule engine), the batch requested at once',
    ...table(
      [
        'tracking',
        'investigations',
        'proposals',
        'seconds',
        'proposals/min',
        'p50 ms',
        'p90 ms',
        'max ms',
        'runs ended s',
        'MLflow calls/inv',
        '…before last proposal',
        'CPU ms/inv',
        '…before last proposal',
        'RSS idle',
        'RSS peak',
      ],
      t.rows.map((r) => [
        r.tracking,
        r.investigations,
        r.proposals,
        r.seconds,
        r.proposalsPerMinute,
        r.medianToProposalMs,
        r.p90ToProposalMs,
        r.maxToProposalMs,
        r.secondsToRunsEnded,
        r.mlflowCallsPerInvestigation,
        r.mlflowCallsBeforeLastProposal,
        r.cpuMsPerInvestigation,
        r.cpuMsToLastProposal,
        r.rssIdleMiB,
        r.rssPeakMiB,
      ]),
    ),
    `tracking on ÷ off: proposals/min ${cell(t.proposalsPerMinuteRatio)} (goal ≥ 0.8), median request → proposal ${cell(t.medianRatio)} (goal ≤ 1.5)`,
    ...(on
      ? [
          'MLflow calls per investigation by endpoint (tracking on), with their median time to answer:',
          ...table(
            ['calls/inv', 'p50 ms', 'endpoint'],
            Object.entries(on.mlflowCallsByEndpoint)
              .sort(([, a], [, b]) => b.perInvestigation - a.perInvestigation)
              .map(([k, v]) => [v.perInvestigation, v.p50Ms, k]),
          ).map((l) => `  ${l}`),
        ]
      : []),
  ];
}

function burstTable(b: BotSection): string[] {
  return table(
    [
      'rate/s',
      'seconds',
      'sent',
      'non-200',
      'failed',
      'p50',
      'p99',
      'max',
      'CPU ms/command',
      'bot lag p99',
      'bot GC max',
      'bench CPU %',
      'bench lag p99',
    ],
    b.bursts.map((r) => [
      r.rate,
      r.seconds,
      r.sent,
      r.non200,
      r.failed,
      r.p50Ms,
      r.p99Ms,
      r.maxMs,
      r.cpuMsPerCommand,
      r.botLagP99Ms,
      r.botGcMaxMs,
      r.benchCpuPct,
      r.benchLagP99Ms,
    ]),
  );
}

/** The fastest burst whose every rate up to it kept the ack p99 within `ms` (null: not even the slowest). */
function highestWithin(b: BotSection, ms: number): number | null {
  let best: number | null = null;
  for (const r of [...b.bursts].sort((x, y) => x.rate - y.rate)) {
    if (r.p99Ms === null || r.p99Ms > ms || r.non200 > 0 || r.failed > 0) break;
    best = r.rate;
  }
  return best;
}

const withinText = (rate: number | null): string =>
  rate === null ? 'none of the rates tried' : `${rate}/s (of the rates tried)`;

function botLines(b: BotSection): string[] {
  return [
    '## Bot: signed /autofix commands for distinct targets (ack latency, ms)',
    ...burstTable(b),
    `highest rate with ack p99 ≤ 10 ms: ${withinText(highestWithin(b, 10))}`,
    '',
    '## Bot memory as commands pile up (MiB; "after GC" = heap after a forced full collection)',
    ...table(
      ['commands', 'RSS', 'heap used', 'after GC'],
      b.memory.map((r) => [r.commands, r.rssMiB, r.heapUsedMiB, r.afterGc ? 'yes' : 'no']),
    ),
    `heap after GC grows ${cell(b.heapGrowthMiBPer1000)} MiB per 1,000 commands`,
    ...(b.idle
      ? [
          '',
          `## Bot RSS idle (MiB): at once after a forced GC, and after ${b.idle.start.quietSeconds} s without work`,
          ...table(
            ['when', 'after GC', 'quiet'],
            [
              ['after start', b.idle.start.afterGcMiB, b.idle.start.quietMiB],
              ['after the load above', b.idle.afterLoad.afterGcMiB, b.idle.afterLoad.quietMiB],
            ],
          ),
        ]
      : []),
  ];
}

function alertLines(a: AlertsSection): string[] {
  return [
    '## Alert receiver: Alertmanager webhooks, one at a time (ack latency, ms)',
    ...table(
      ['alerts', 'webhooks', 'alerts each', 'non-200', 'failed', 'p50', 'p99', 'max'],
      a.webhooks.map((r) => [
        r.kind,
        r.webhooks,
        r.alertsEach,
        r.non200,
        r.failed,
        r.p50Ms,
        r.p99Ms,
        r.maxMs,
      ]),
    ),
    '',
    '## Alert receiver: alerts/s sustained (new workloads, webhooks back-to-back)',
    ...table(
      ['in flight', 'alerts each', 'seconds', 'webhooks', 'not accepted', 'alerts/s'],
      a.sustained.map((r) => [
        r.concurrency,
        r.alertsEach,
        r.seconds,
        r.webhooks,
        r.notAccepted,
        r.alertsPerSecond,
      ]),
    ),
  ];
}

function botClusterLines(b: BotSection): string[] {
  return [
    '## Bot with 5 clusters registered: commands naming them in turn (ack latency, ms)',
    ...burstTable(b),
  ];
}

function workerLines(rows: WorkerRow[]): string[] {
  return [
    "## Worker (rule engine): processes on one cluster's queue, a batch of OOM-looping deployments",
    ...table(
      [
        'processes',
        'concurrency',
        'investigations',
        'proposals',
        'seconds',
        'proposals/min',
        'RSS idle',
        'RSS load',
        'heap after GC',
      ],
      rows.map((r) => [
        r.workers,
        r.concurrency,
        r.investigations,
        r.proposals,
        r.seconds,
        r.proposalsPerMinute,
        r.idle.rssMiB,
        r.underLoad.rssMiB,
        r.afterGc.heapUsedMiB,
      ]),
    ),
  ];
}

function promptLines(rows: PromptRow[]): string[] {
  return [
    '## Prompt per diagnosis and API calls per investigation (eval cases on the sandbox; tokens ≈ chars/4)',
    ...table(
      ['case', 'status', 'iterations', 'API calls', 'system chars', 'user chars', '≈prompt tokens/iteration'],
      rows.map((r) => [
        r.case,
        r.status,
        r.iterations,
        r.apiCalls,
        r.systemChars,
        r.userChars,
        r.promptTokensPerIteration,
      ]),
    ),
  ];
}

function functionLines(f: FunctionsBench): string[] {
  return [
    '## Pure pipeline (in-process)',
    ...table(
      ['function', 'ops/s', 'µs/op', 'heap Δ KiB'],
      f.rows.map((r) => [r.name, r.opsPerSecond, r.microsPerOp, r.heapDeltaKiB]),
    ),
    `redaction ${f.redactionMBps} MB/s; pipeline costs ${f.pipelineToAnalyzersCostRatio}× the analyzers alone`,
    `redaction of the corpus log: ${Object.entries(f.redaction.mbPerSecond)
      .map(([k, v]) => `${k} ${v} MB/s`)
      .join('; ')}`,
    `redaction costs ${f.redaction.costVsBefore.now}× what it did before issue 19 (${f.redaction.costVsBefore.withKnownValues}× with 12 known values); secretlint's rules are ${(100 * f.redaction.libraryShare).toFixed(1)}% of it, the known-value matcher ${(100 * f.redaction.knownValueShare).toFixed(1)}%`,
  ];
}

export function renderBench(r: BenchReport): string {
  const m = r.machine;
  return [
    `machine: ${m.cpus} × ${m.model}, ${m.memoryGiB} GiB, node ${m.node}, load average ${m.loadAverage.join(' ')}`,
    ...(r.services
      ? [
          `services: ${r.services.from === 'dist' ? 'node dist/ (built)' : 'src/ under tsx'} — ${r.services.why}`,
        ]
      : []),
    '',
    ...(r.tracking ? [...trackingLines(r.tracking), ''] : []),
    ...(r.bot ? [...botLines(r.bot), ''] : []),
    ...(r.alerts ? [...alertLines(r.alerts), ''] : []),
    ...(r.botClusters ? [...botClusterLines(r.botClusters), ''] : []),
    ...(r.worker ? [...workerLines(r.worker), ''] : []),
    ...(r.prompt ? [...promptLines(r.prompt), ''] : []),
    ...(r.functions ? [...functionLines(r.functions), ''] : []),
    ...(r.replay
      ? [
          '## eval --replay, rule engine (in-process, MLflow reads excluded)',
          `${r.replay.casesPerSecond} cases/s (${r.replay.microsPerCase} µs per case, ${r.replay.cases} recordings in turn)`,
          '',
        ]
      : []),
  ].join('\n');
}
