import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { ImpulseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { settleRequestsWithoutErrors } from './request-settle.ts';

export interface ConnectOptions {
  /** One URL or a comma-separated list (`nats://a:4222,nats://b:4222`). */
  url: string;
  /** The client name the server shows in its connection list. */
  clientName: string;
  /** A NATS `.creds` file (JWT and NKey seed); read again on every (re)connect, so rotation works. */
  credentialsFile?: string;
  logger: Logger;
  /** Gives up waiting for the first connection. */
  signal?: AbortSignal;
}

/**
 * A NATS connection that retries forever and knows whether it is up. The first connection is
 * awaited (NATS may start after us); later outages are ridden out by the client's reconnect loop
 * while `connected` reports them.
 */
export class BusConnection {
  readonly nc: NatsConnection;
  #connected = true;
  #maxPayload: number;
  readonly #logger: Logger;

  private constructor(nc: NatsConnection, logger: Logger) {
    this.nc = nc;
    this.#logger = logger;
    this.#maxPayload = nc.info?.max_payload ?? 1024 * 1024;
    void this.#watchStatus();
  }

  /** Connects, waiting (retrying) until the server answers or `signal` aborts (`CLOSED`). */
  static async open(options: ConnectOptions): Promise<BusConnection> {
    const { signal, logger, credentialsFile } = options;
    if (signal?.aborted) throw new ImpulseError('CLOSED', 'aborted before connecting to NATS');
    let firstWait = true;
    let attempts = 0;
    settleRequestsWithoutErrors();
    const nc = await connect({
      servers: options.url.split(',').map((s) => s.trim()),
      name: options.clientName,
      maxReconnectAttempts: -1,
      waitOnFirstConnect: true,
      // Notice a silently dead server within a minute rather than the default four.
      pingInterval: 20_000,
      maxPingOut: 3,
      // By default every request (each publish, each ack) builds two Error objects with stack
      // traces in case it fails: 15% of an EventSource's CPU under load. Our errors carry context.
      noAsyncTraces: true,
      ...(credentialsFile ? { authenticator: credsAuthenticator(() => readFileSync(credentialsFile)) } : {}),
      // Called before every dial; throwing is the client's documented way to stop the dial loop, which
      // otherwise never ends while waitOnFirstConnect is set and the server is away.
      // The signal only bounds this first wait; later reconnects must never be cut short by it.
      reconnectToServer: () => {
        if (!firstWait) return null;
        if (signal?.aborted) throw new Error('aborted');
        attempts++;
        // Dials come every couple of seconds: say so at the first retry, then about once a minute.
        if (attempts === 2 || attempts % 30 === 0)
          logger.warn({ url: options.url, attempts }, 'waiting for NATS');
        return null;
      },
    }).catch((err: unknown) => {
      if (signal?.aborted)
        throw new ImpulseError('CLOSED', 'aborted before connecting to NATS', { cause: err });
      throw new ImpulseError('BUS_UNAVAILABLE', `cannot connect to NATS at ${options.url}`, { cause: err });
    });
    firstWait = false;
    logger.info({ server: nc.getServer() }, 'connected to NATS');
    return new BusConnection(nc, logger);
  }

  /** Whether the connection is up right now. */
  get connected(): boolean {
    return this.#connected && !this.nc.isClosed();
  }

  /** Whether the connection is closed or draining for good. */
  get closed(): boolean {
    return this.nc.isClosed() || this.nc.isDraining();
  }

  /** The server's `max_payload`, as announced by the server the client last connected to. */
  get maxPayload(): number {
    const announced = this.nc.info?.max_payload;
    if (announced) this.#maxPayload = announced;
    return this.#maxPayload;
  }

  /** Whether the server understands a reason after `+TERM` (2.11 and later; older ones ignore the term). */
  get termReasons(): boolean {
    const [major = 0, minor = 0] = (this.nc.info?.version ?? '0.0')
      .split('.')
      .map((n) => Number.parseInt(n, 10));
    return major > 2 || (major === 2 && minor >= 11);
  }

  /**
   * Flushes what is pending (acks included) and closes. Draining needs the server; while it is away,
   * or when draining takes longer than `drainTimeoutMs`, the connection is closed without it.
   */
  async close(drainTimeoutMs = 5000): Promise<void> {
    if (this.nc.isClosed()) return;
    let drained = false;
    if (this.connected) {
      let timer: NodeJS.Timeout | undefined;
      drained = await Promise.race([
        this.nc.drain().then(
          () => true,
          () => false,
        ),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), drainTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    if (!drained && !this.nc.isClosed()) await this.nc.close();
  }

  async #watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      switch (status.type) {
        case 'disconnect':
          this.#connected = false;
          this.#logger.warn({ server: status.server }, 'disconnected from NATS; reconnecting');
          break;
        case 'reconnect':
          this.#connected = true;
          this.#logger.info({ server: status.server }, 'reconnected to NATS');
          break;
        case 'close':
          this.#connected = false;
          break;
        case 'error':
          this.#logger.warn({ err: status.error }, 'NATS server error');
          break;
        case 'slowConsumer':
          this.#logger.warn({ sub: status.sub.getSubject() }, 'NATS slow consumer');
          break;
        default:
          break;
      }
    }
  }
}
