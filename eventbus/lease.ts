import { setTimeout as sleep } from 'node:timers/promises';
import { ImpulseError, isImpulseError } from '../core/errors.ts';
import { type Logger, silentLogger } from '../core/logger.ts';
import type { EventBus, KvStore } from './types.ts';

/** The KV bucket that holds every lease. */
export const LEASE_BUCKET = 'impulse-leases';

/** @default 6000 */
export const DEFAULT_LEASE_TTL_MS = 6000;

export interface LeaseOptions {
  /** The bus whose KV holds the lease. */
  bus: EventBus;
  /** `<kind>.<namespace>.<name>`, e.g. `sensor.default.my-sensor`. */
  key: string;
  /** @default 6000 */
  ttlMs?: number;
  /** Who holds it: unique per process (host, pid and something random). */
  holder: string;
  /** Gives up waiting (the promise rejects with `CLOSED`); a held lease is released with `close()`. */
  signal?: AbortSignal;
  logger?: Logger;
}

/** The right to act alone for one component, until `signal` aborts. */
export interface Lease {
  readonly key: string;
  readonly holder: string;
  /** Aborts when the lease is lost (not renewed in time, taken over) or released. */
  readonly signal: AbortSignal;
  /**
   * Whether the holder may act right now. Checked against the monotonic clock when read, so a
   * process that was paused past its deadline learns it before its timers have had a chance to run.
   */
  readonly held: boolean;
  /** Stops renewing and releases the lease so another replica can take it at once; safe to call twice. */
  close(): Promise<void>;
}

interface LeaseValue {
  holder: string | null;
  ttlMs: number;
}

/**
 * Waits until the lease `key` is ours, then keeps it. NATS 2.9 has no per-key TTL, so expiry is a
 * matter of clocks, each process using only its own monotonic one:
 *
 * - the holder renews with compare-and-set every ttl/3 and stops acting 2*ttl/3 after the moment it
 *   sent its last successful renewal;
 * - another replica takes over once the key's revision has not changed for a whole ttl, timed from
 *   when it first saw that revision.
 *
 * A renewal lands after it is sent, and is seen after it lands, so the holder always stops before
 * anyone else may start. A released lease (`holder: null`) or one last held by this very holder is
 * taken at once.
 */
export async function acquireLease(options: LeaseOptions): Promise<Lease> {
  const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  const logger = options.logger ?? silentLogger();
  const { key, holder, signal } = options;
  const kv = await options.bus.kv(LEASE_BUCKET);
  const mine: LeaseValue = { holder, ttlMs };
  const pollMs = Math.max(50, Math.floor(ttlMs / 12));
  let seen: { revision: number; at: number } | undefined;
  let failures = 0;
  for (;;) {
    if (signal?.aborted) throw new ImpulseError('CLOSED', `stopped waiting for lease ${key}`);
    const sentAt = performance.now();
    try {
      const entry = await kv.get<LeaseValue>(key);
      if (!entry) {
        const revision = await kv.create(key, mine);
        return new HeldLease(kv, key, mine, revision, sentAt, logger);
      }
      const other = entry.value;
      const now = performance.now();
      if (seen?.revision !== entry.revision) seen = { revision: entry.revision, at: now };
      const expired = now - seen.at >= Math.max(ttlMs, other.ttlMs ?? 0);
      if (other.holder === null || other.holder === holder || expired) {
        if (other.holder !== null && other.holder !== holder) {
          logger.warn({ key, previous: other.holder }, 'lease expired; taking it over');
        }
        const revision = await kv.update(key, mine, entry.revision);
        return new HeldLease(kv, key, mine, revision, sentAt, logger);
      }
      failures = 0;
    } catch (err) {
      // A conflict means someone else wrote first: look again at once.
      if (isImpulseError(err, 'INVALID_STATE')) continue;
      if (isImpulseError(err, 'CLOSED')) throw err;
      if (failures++ % 20 === 0) logger.warn({ key, err }, 'cannot reach the lease bucket yet');
    }
    await sleep(pollMs, undefined, { signal }).catch(() => undefined);
  }
}

class HeldLease implements Lease {
  readonly key: string;
  readonly holder: string;
  readonly #kv: KvStore;
  readonly #value: LeaseValue;
  readonly #ttlMs: number;
  readonly #controller = new AbortController();
  readonly #logger: Logger;
  #revision: number;
  #deadline: number;
  #renewTimer: NodeJS.Timeout | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  constructor(kv: KvStore, key: string, value: LeaseValue, revision: number, sentAt: number, logger: Logger) {
    this.#kv = kv;
    this.key = key;
    this.holder = value.holder ?? '';
    this.#value = value;
    this.#ttlMs = value.ttlMs;
    this.#revision = revision;
    this.#logger = logger;
    this.#deadline = sentAt + (2 * this.#ttlMs) / 3;
    this.#armExpiry();
    this.#scheduleRenewal();
    void this.held;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get held(): boolean {
    if (this.#controller.signal.aborted) return false;
    if (performance.now() >= this.#deadline) {
      this.#lose('not renewed in time');
      return false;
    }
    return true;
  }

  close(): Promise<void> {
    this.#closing ??= this.#release();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #release(): Promise<void> {
    const stillHeld = this.held;
    this.#stop('released');
    if (!stillHeld) return;
    try {
      await this.#kv.update<LeaseValue>(this.key, { holder: null, ttlMs: this.#ttlMs }, this.#revision);
    } catch (err) {
      // Not released: the others wait for the expiry instead.
      this.#logger.warn({ key: this.key, err }, 'could not release the lease');
    }
  }

  #scheduleRenewal(): void {
    this.#renewTimer = setTimeout(() => void this.#renew(), this.#ttlMs / 3);
    this.#renewTimer.unref();
  }

  async #renew(): Promise<void> {
    if (!this.held) return;
    const sentAt = performance.now();
    try {
      const revision = await this.#kv.update(this.key, this.#value, this.#revision);
      if (this.#controller.signal.aborted) return;
      this.#revision = revision;
      this.#deadline = sentAt + (2 * this.#ttlMs) / 3;
      this.#armExpiry();
    } catch (err) {
      if (isImpulseError(err, 'INVALID_STATE')) {
        this.#lose('another holder took it');
        return;
      }
      this.#logger.warn({ key: this.key, err }, 'cannot renew the lease');
    }
    if (this.held) this.#scheduleRenewal();
  }

  #armExpiry(): void {
    clearTimeout(this.#expiryTimer);
    this.#expiryTimer = setTimeout(
      () => {
        if (this.held) this.#armExpiry();
      },
      Math.max(1, this.#deadline - performance.now()),
    );
    this.#expiryTimer.unref();
  }

  #lose(reason: string): void {
    if (this.#controller.signal.aborted) return;
    this.#logger.warn({ key: this.key, reason }, 'lost the lease; stopping');
    this.#stop(reason);
  }

  #stop(reason: string): void {
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#expiryTimer);
    if (!this.#controller.signal.aborted) {
      this.#controller.abort(new ImpulseError('CLOSED', `lease ${this.key}: ${reason}`));
    }
  }
}
