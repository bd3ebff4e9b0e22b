// Keeps tracking from ever breaking or stalling an investigation: catch, warn once, go quiet after an outage.
import { isMlflowError } from './mlflow-error.js';

export interface TrackingWarning {
  /** One sentence for the user, e.g. "MLflow tracking is off for this investigation: … unreachable …". */
  message: string;
  /** True when the server was found unusable and tracking stopped for the rest of the investigation. */
  outage: boolean;
}

/** Shared by every investigation of one tracker: after an outage, calls are skipped until the cool-down ends. */
export interface OutageBreaker {
  isOpen(): boolean;
  trip(reason: string): void;
  reason(): string | null;
}

export function createOutageBreaker(cooldownMs: number, now: () => number = Date.now): OutageBreaker {
  let openUntil = 0;
  let why: string | null = null;
  return {
    isOpen: () => now() < openUntil,
    trip(reason) {
      openUntil = now() + cooldownMs;
      why = reason;
    },
    reason: () => why,
  };
}

/** One investigation's guard: its warnings, de-duplicated, and whether it has gone quiet. */
export interface TrackingGuard {
  readonly warnings: readonly string[];
  /** True once tracking stopped for this investigation (outage, or started while the breaker was open). */
  readonly quiet: boolean;
  /** Runs `fn`; on any error records a warning and returns `fallback`. Never throws. */
  run<T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T>;
  /** Records a warning that did not come from a failed call. */
  warn(message: string, outage?: boolean): void;
}

const MAX_WARNINGS = 20;

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function createTrackingGuard(
  breaker: OutageBreaker,
  onWarning?: (w: TrackingWarning) => void,
): TrackingGuard {
  const warnings: string[] = [];
  const seen = new Set<string>();
  let quiet = false;

  function warn(message: string, outage = false): void {
    // One outage is one warning, whatever fails after it; other problems once per distinct message.
    const key = outage ? 'outage' : message;
    if (seen.has(key) || warnings.length >= MAX_WARNINGS) return;
    seen.add(key);
    warnings.push(message);
    try {
      onWarning?.({ message, outage });
    } catch {
      // A failing metrics hook must not turn a tracking warning into a failure.
    }
  }

  function goQuiet(reason: string): void {
    quiet = true;
    warn(`MLflow tracking is off for this investigation: ${reason}`, true);
  }

  async function run<T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T> {
    if (quiet) return fallback;
    if (breaker.isOpen()) {
      goQuiet(breaker.reason() ?? 'the server failed recently');
      return fallback;
    }
    try {
      return await fn();
    } catch (e) {
      if (isMlflowError(e) && e.serverUnusable) {
        breaker.trip(describe(e));
        goQuiet(describe(e));
      } else {
        warn(`MLflow tracking could not ${what}: ${describe(e)}`);
      }
      return fallback;
    }
  }

  return {
    get warnings() {
      return warnings;
    },
    get quiet() {
      return quiet;
    },
    run,
    warn,
  };
}
