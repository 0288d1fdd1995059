import { ImpulseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { backoffDelay, pause, type ResolvedBackoff } from './backoff.ts';
import { scrub } from './redact.ts';

/** One live connection of a source to its server, consuming. */
export interface Session {
  /** Settles when the connection is lost by itself (the server went away, the broker closed it). */
  readonly lost: Promise<unknown>;
  /** Stops intake, lets the work in flight finish (and be acknowledged), closes the connection. */
  close(): Promise<void>;
}

export interface KeepConnectedOptions {
  signal: AbortSignal;
  logger: Logger;
  backoff: ResolvedBackoff;
  /** Where the event sits in the manifest, to begin error messages with. */
  path: string;
  /** The server as errors and logs name it: its URL without the password. */
  target: string;
  /** Values that must never appear in a message (passwords, tokens). */
  secrets?: ReadonlyArray<string | undefined>;
  /** Opens a connection and starts consuming; rejects when it cannot. */
  connect(signal: AbortSignal): Promise<Session>;
  /** Called after every successful connection, the first and each reconnection. */
  connected?(): void;
}

/** How often (in failed attempts) a server that stays away is reported again. */
const REPORT_EVERY = 10;

/**
 * Keeps a source connected until `signal` aborts. The first connection is tried `backoff.steps`
 * times, then start-up fails with an error naming the server; once connected, a lost connection is
 * retried for ever, with the backoff's growing pauses. Resolves after the last session has closed.
 */
export async function keepConnected(options: KeepConnectedOptions): Promise<void> {
  const { signal, logger, backoff, target } = options;
  const clean = (err: unknown) =>
    scrub(err instanceof Error ? err.message : String(err), options.secrets ?? []);
  let everConnected = false;
  let failures = 0;
  while (!signal.aborted) {
    let session: Session;
    try {
      session = await options.connect(signal);
    } catch (err) {
      if (signal.aborted) return;
      failures++;
      const reason = clean(err);
      if (!everConnected && failures >= backoff.steps) {
        throw new ImpulseError(
          'TRANSIENT',
          `${options.path}: cannot connect to ${target} (${failures} attempts): ${reason}`,
          { cause: err, details: { target, attempts: failures } },
        );
      }
      if (failures === 1 || failures % REPORT_EVERY === 0) {
        logger.warn({ target, attempts: failures, err: reason }, `cannot connect to ${target}; retrying`);
      }
      await pause(backoffDelay(backoff, failures - 1), signal);
      continue;
    }
    if (signal.aborted) {
      await session.close().catch(() => undefined);
      return;
    }
    if (everConnected) logger.info({ target, attempts: failures }, `reconnected to ${target}`);
    else logger.info({ target }, `connected to ${target}`);
    everConnected = true;
    failures = 0;
    options.connected?.();

    const stop = new Promise<'stop'>((resolve) => {
      if (signal.aborted) resolve('stop');
      else signal.addEventListener('abort', () => resolve('stop'), { once: true });
    });
    const outcome = await Promise.race([
      stop,
      session.lost.then(
        (reason) => ({ reason }),
        (reason: unknown) => ({ reason }),
      ),
    ]);
    await session.close().catch((err: unknown) => logger.warn({ err: clean(err) }, 'closing the connection'));
    if (outcome === 'stop') return;
    logger.warn({ target, err: clean(outcome.reason) }, `connection to ${target} lost; reconnecting`);
    failures = 1;
    await pause(backoffDelay(backoff, 0), signal);
  }
}
