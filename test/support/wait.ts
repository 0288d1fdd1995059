export interface WaitOptions {
  /** @default 5000 */
  timeoutMs?: number;
  /** Pause between attempts. @default 20 */
  intervalMs?: number;
  /** Says what was awaited, in the timeout error. */
  message?: string;
}

/**
 * Calls `fn` until it returns a truthy value (which is returned) or the deadline passes. A throw
 * counts as "not yet"; the last one is the timeout error's cause.
 */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  { timeoutMs = 5000, intervalMs = 20, message = 'condition' }: WaitOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Resolves with `promise`'s value, or rejects if it takes longer than `timeoutMs`. For awaiting one
 * thing (a message, an exit) with a deadline.
 */
export async function within<T>(promise: Promise<T>, timeoutMs: number, message = 'result'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${message}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Checks that `condition` stays true for `forMs` (a negative outcome: something must NOT happen),
 * polling it and failing at the first poll where it is false.
 */
export async function staysTrue(
  condition: () => boolean,
  { forMs, intervalMs = 10, message = 'condition' }: { forMs: number; intervalMs?: number; message?: string },
): Promise<void> {
  const until = Date.now() + forMs;
  while (Date.now() < until) {
    if (!condition()) throw new Error(`${message} stopped holding before ${forMs} ms had passed`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  if (!condition()) throw new Error(`${message} stopped holding before ${forMs} ms had passed`);
}
