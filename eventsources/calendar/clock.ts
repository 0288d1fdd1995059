/** Where the calendar gets the time, so tests can move it in milliseconds instead of hours. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves true once `now() >= atMs`, false as soon as `signal` aborts. */
  sleepUntil(atMs: number, signal: AbortSignal): Promise<boolean>;
}

/**
 * The wall clock. Long waits are cut into slices of at most `maxSliceMs`, so a clock that is set
 * (NTP, a suspended VM) is noticed within a slice instead of firing hours late or early.
 */
export function systemClock(maxSliceMs = 10_000): Clock {
  return {
    now: () => Date.now(),
    sleepUntil(atMs, signal) {
      return new Promise<boolean>((resolve) => {
        if (signal.aborted) return resolve(false);
        let timer: NodeJS.Timeout | undefined;
        const onAbort = () => {
          clearTimeout(timer);
          resolve(false);
        };
        const check = () => {
          const remaining = atMs - Date.now();
          if (remaining <= 0) {
            signal.removeEventListener('abort', onAbort);
            resolve(true);
            return;
          }
          timer = setTimeout(check, Math.min(remaining, maxSliceMs));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        check();
      });
    },
  };
}
