// The replay bundle: the exact redacted input one iteration's engine saw, versioned, size-bounded, read back strictly.
import { z } from 'zod';
import { PolicyConfig } from '../config/config.js';
import {
  AttemptRecord,
  AutofixError,
  Diagnosis,
  EngineName,
  ErrorCode,
  Evidence,
  Finding,
  LlmUsage,
} from '../domain/index.js';

export const BUNDLE_KIND = 'kube-autofix/replay-bundle';
/** The schema this build writes; readers take every version in READABLE_VERSIONS. */
export const BUNDLE_VERSION = 1;
/** Serialised bundles are at most this many bytes: trimmed in a documented order, else not written. */
export const MAX_BUNDLE_BYTES = 1_048_576;
/** The run tag replay searches for (its value is the schema version), and where the files live. */
export const BUNDLE_TAG = 'autofix.replay.schema';
export const BUNDLE_DIR = 'replay';

export const bundlePath = (iteration: number): string => `${BUNDLE_DIR}/iteration-${iteration}.json`;

/** What the engine is given (DiagnosisInput), with the policy the validator judged by. */
export const EngineInput = z.object({
  evidence: Evidence,
  findings: z.array(Finding),
  previousAttempts: z.array(AttemptRecord),
  history: z.array(z.string()),
  policy: PolicyConfig,
});
export type EngineInput = z.infer<typeof EngineInput>;

export const ReplayBundleV1 = z.object({
  kind: z.literal(BUNDLE_KIND),
  version: z.literal(1),
  recordedAt: z.string(),
  agentVersion: z.string(),
  iteration: z.number().int().min(1),
  engine: z.object({ name: EngineName, model: z.string() }),
  input: EngineInput,
  /** What the recording engine answered; null diagnosis with the error when it failed. */
  recorded: z.object({
    diagnosis: Diagnosis.nullable(),
    usage: z.array(LlmUsage),
    error: z.string().nullable(),
  }),
  /** What was cut to stay within MAX_BUNDLE_BYTES (empty: the input is whole). */
  trimmed: z.array(z.string()),
});
export type ReplayBundle = z.infer<typeof ReplayBundleV1>;

export interface BundleFacts {
  iteration: number;
  agentVersion: string;
  engine: { name: EngineName; model: string };
  input: EngineInput;
  recorded: ReplayBundle['recorded'];
  at?: Date;
}

const bytes = (b: ReplayBundle): number => Buffer.byteLength(JSON.stringify(b), 'utf8');

type Trim = (b: ReplayBundle) => { bundle: ReplayBundle; note: string } | null;

const withEvidence = (b: ReplayBundle, patch: Partial<Evidence>): ReplayBundle => ({
  ...b,
  input: { ...b.input, evidence: { ...b.input.evidence, ...patch } },
});

/** Trims in this order, each only when the bundle is still too big (README "Replay bundles" lists it). */
const TRIMS: Trim[] = [
  (b) => {
    const n = b.input.evidence.nodes.length;
    return n > 50
      ? { bundle: withEvidence(b, { nodes: b.input.evidence.nodes.slice(0, 50) }), note: `nodes: 50 of ${n}` }
      : null;
  },
  (b) => {
    const long = b.input.evidence.logs.some((l) => l.lines.length > 20);
    const logs = b.input.evidence.logs.map((l) => ({ ...l, lines: l.lines.slice(-20), truncated: true }));
    return long ? { bundle: withEvidence(b, { logs }), note: 'logs: the last 20 lines of each' } : null;
  },
  (b) => {
    const n = b.input.evidence.events.length;
    return n > 20
      ? {
          bundle: withEvidence(b, { events: b.input.evidence.events.slice(0, 20) }),
          note: `events: 20 of ${n}`,
        }
      : null;
  },
  (b) => {
    const revs = b.input.evidence.revisions;
    if (revs.length <= 3) return null;
    const kept = [...revs].sort((x, y) => y.revision - x.revision).slice(0, 3);
    return {
      bundle: withEvidence(b, { revisions: revs.filter((r) => r.current || kept.includes(r)) }),
      note: `revisions: the current and newest 3 of ${revs.length}`,
    };
  },
];

/**
 * The bundle of one iteration, trimmed to MAX_BUNDLE_BYTES; null when even the trimmed bundle is larger
 * (nothing is written then). Built from the very objects the engine was given, so it is exactly as
 * redacted as the engine's input.
 */
export function buildBundle(f: BundleFacts, maxBytes = MAX_BUNDLE_BYTES): ReplayBundle | null {
  let bundle: ReplayBundle = {
    kind: BUNDLE_KIND,
    version: BUNDLE_VERSION,
    recordedAt: (f.at ?? new Date()).toISOString(),
    agentVersion: f.agentVersion,
    iteration: f.iteration,
    engine: f.engine,
    input: f.input,
    recorded: f.recorded,
    trimmed: [],
  };
  for (const trim of TRIMS) {
    if (bytes(bundle) <= maxBytes) return bundle;
    const cut = trim(bundle);
    if (cut) bundle = { ...cut.bundle, trimmed: [...bundle.trimmed, cut.note] };
  }
  return bytes(bundle) <= maxBytes ? bundle : null;
}

/** Every version this build reads, each with how it becomes the current shape. */
const READERS: Record<number, (raw: unknown) => ReplayBundle> = {
  1: (raw) => ReplayBundleV1.parse(raw),
};

function refuse(source: string, why: string, hint: string): never {
  throw new AutofixError(ErrorCode.BadInput, `Replay bundle ${source}: ${why}`, { hint });
}

/** Reads a bundle of any readable version, or refuses it saying which version it is and what to do. */
export function readBundle(text: string, source: string): ReplayBundle {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    refuse(
      source,
      'is not JSON.',
      'Bundles are the replay/iteration-<n>.json artifacts of investigation runs.',
    );
  }
  const head = z.object({ kind: z.string(), version: z.unknown().optional() }).safeParse(raw);
  if (!head.success || head.data.kind !== BUNDLE_KIND)
    refuse(
      source,
      `is not a replay bundle (no "kind": "${BUNDLE_KIND}").`,
      'Bundles are the replay/iteration-<n>.json artifacts of investigation runs.',
    );
  const version = head.data.version;
  const known = Object.keys(READERS).map(Number);
  if (typeof version !== 'number' || !Number.isInteger(version))
    refuse(source, `has no schema version.`, `This kube-autofix reads schema versions ${known.join(', ')}.`);
  const reader = READERS[version];
  if (!reader) {
    const newer = version > Math.max(...known);
    refuse(
      source,
      `is schema version ${version}, which this kube-autofix (reads ${known.join(', ')}) ${newer ? 'does not know yet' : 'no longer reads'}.`,
      newer
        ? 'Upgrade kube-autofix to the version that recorded it, or newer.'
        : 'Replay it with an older kube-autofix, or re-record the incident.',
    );
  }
  try {
    return reader(raw);
  } catch (e) {
    const issues = e instanceof z.ZodError ? e.issues : [];
    const what = issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    return refuse(
      source,
      `does not match schema version ${version}: ${what}.`,
      'The file was changed or damaged after it was recorded; re-record the incident.',
    );
  }
}
