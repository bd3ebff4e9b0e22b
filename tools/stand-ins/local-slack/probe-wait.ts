// Waits on a stand-in's state without polling: probes re-run on every change until one yields a value.
export interface Probed {
  probes: Set<() => void>;
}

/** Call after every change to the state. */
export function runProbes(state: Probed): void {
  for (const probe of [...state.probes]) probe();
}

/** Resolves with the first value `probe` yields; rejects with `timeoutMessage()` after `timeoutMs`. */
export function waitForProbe<T>(
  state: Probed,
  probe: () => T | undefined,
  timeoutMs: number,
  timeoutMessage: () => string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const value = probe();
      if (value === undefined) return;
      clearTimeout(timer);
      state.probes.delete(check);
      resolve(value);
    };
    const timer = setTimeout(() => {
      state.probes.delete(check);
      reject(new Error(timeoutMessage()));
    }, timeoutMs);
    state.probes.add(check);
    check();
  });
}
