// Awaits a condition by polling with a deadline (integration tests never sleep for a fixed time).
export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Shown in the timeout error, e.g. "deployment web Available". */
  what?: string;
}

/** Resolves with the first truthy value `fn` returns; rejects with the last state after the deadline. */
export async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false>,
  opts: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  let lastError: unknown = null;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${why}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 500));
  }
}
