import type { Clock } from '../../eventsources/calendar/index.ts';

/** A clock that moves only when a test says so; sleepers wake as soon as their time has come. */
export interface ManualClock extends Clock {
  /** Moves the time forward by `ms` (or to `atMs` with `set`) and wakes every sleeper now due. */
  advance(ms: number): void;
  set(atMs: number): void;
  /** How many sleepers wait right now (a calendar waiting for its next tick is one). */
  readonly sleepers: number;
  /** The time the earliest sleeper waits for, if any. */
  readonly nextWake: number | undefined;
}

export function manualClock(startMs: number): ManualClock {
  let now = startMs;
  const sleepers = new Set<{ at: number; wake(ok: boolean): void }>();
  const wakeDue = () => {
    for (const sleeper of [...sleepers]) {
      if (sleeper.at <= now) {
        sleepers.delete(sleeper);
        sleeper.wake(true);
      }
    }
  };
  return {
    now: () => now,
    sleepUntil(atMs, signal) {
      if (signal.aborted) return Promise.resolve(false);
      if (atMs <= now) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const sleeper = {
          at: atMs,
          wake: (ok: boolean) => {
            signal.removeEventListener('abort', onAbort);
            resolve(ok);
          },
        };
        const onAbort = () => {
          sleepers.delete(sleeper);
          resolve(false);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        sleepers.add(sleeper);
      });
    },
    advance(ms) {
      now += ms;
      wakeDue();
    },
    set(atMs) {
      now = atMs;
      wakeDue();
    },
    get sleepers() {
      return sleepers.size;
    },
    get nextWake() {
      let min: number | undefined;
      for (const s of sleepers) if (min === undefined || s.at < min) min = s.at;
      return min;
    },
  };
}
