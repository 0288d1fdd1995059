import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ConnectionOptions,
  connect,
  credsAuthenticator,
  type NatsConnection,
} from '@nats-io/transport-node';
import type { ClientTls } from '../../core/client-tls.ts';
import { ImpulseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { settleRequestsWithoutErrors } from './request-settle.ts';

/** How long to wait between dials while the server is away at startup (the client's own pace). */
const RETRY_MS = 2000;

export interface ConnectOptions {
  /** One URL or a comma-separated list (`nats://a:4222,nats://b:4222`). */
  url: string;
  /** The client name the server shows in its connection list. */
  clientName: string;
  /** A NATS `.creds` file (JWT and NKey seed); read again on every (re)connect, so rotation works. */
  credentialsFile?: string;
  /** A `.creds` file's content, when it came from a secret rather than a file. */
  credentials?: string;
  /** Client TLS: a private CA, a client certificate, or no verification. */
  tls?: ClientTls;
  /** Where `tls` came from, for messages (`IMPULSE_BUS_TLS_CA_FILE`, `EventBus x: spec.jetstreamExotic.tls`). */
  tlsSetting?: string;
  logger: Logger;
  /** Gives up waiting for the first connection. */
  signal?: AbortSignal;
}

/**
 * A NATS connection that retries forever and knows whether it is up. The first connection is
 * awaited (NATS may start after us); later outages are ridden out by the client's reconnect loop
 * while `connected` reports them. A TLS failure is not waited out: it needs a configuration change.
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

  /**
   * Connects, waiting (retrying) until the server answers or `signal` aborts (`CLOSED`). A server
   * whose certificate is not trusted, or one without TLS when TLS is asked for, is `PERMANENT`.
   */
  static async open(options: ConnectOptions): Promise<BusConnection> {
    const { signal, logger } = options;
    if (signal?.aborted) throw new ImpulseError('CLOSED', 'aborted before connecting to NATS');
    settleRequestsWithoutErrors();
    // The first connection is retried here rather than with the client's waitOnFirstConnect, whose
    // loop swallows each dial's error: a certificate problem would look like a server that is away.
    let nc: NatsConnection | undefined;
    for (let attempt = 1; !nc; attempt++) {
      try {
        nc = await connect(connectionOptions(options));
      } catch (err) {
        if (signal?.aborted)
          throw new ImpulseError('CLOSED', 'aborted before connecting to NATS', { cause: err });
        const tlsProblem = tlsFailure(err);
        if (tlsProblem) throw tlsError(options, tlsProblem, err);
        if (isInvalidOption(err))
          throw new ImpulseError('BUS_UNAVAILABLE', `cannot connect to NATS at ${options.url}`, {
            cause: err,
          });
        // Say so at the first retry, then about once a minute.
        if (attempt === 1 || attempt % 30 === 0)
          logger.warn(
            { url: options.url, attempts: attempt, err: (err as Error).message },
            'waiting for NATS',
          );
        await sleep(RETRY_MS, undefined, { signal }).catch((abort: unknown) => {
          throw new ImpulseError('CLOSED', 'aborted before connecting to NATS', { cause: abort });
        });
      }
    }
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

/** The client's options: reconnect forever once connected, and notice a dead server quickly. */
function connectionOptions(options: ConnectOptions): ConnectionOptions {
  const { credentialsFile, credentials, tls } = options;
  const encode = (text: string) => new TextEncoder().encode(text);
  return {
    servers: options.url.split(',').map((s) => s.trim()),
    name: options.clientName,
    maxReconnectAttempts: -1,
    // Notice a silently dead server within a minute rather than the default four.
    pingInterval: 20_000,
    maxPingOut: 3,
    // By default every request (each publish, each ack) builds two Error objects with stack
    // traces in case it fails: 15% of an EventSource's CPU under load. Our errors carry context.
    noAsyncTraces: true,
    ...(credentialsFile ? { authenticator: credsAuthenticator(() => readFileSync(credentialsFile)) } : {}),
    ...(credentials && !credentialsFile ? { authenticator: credsAuthenticator(encode(credentials)) } : {}),
    ...(tls ? { tls: { ...tls } as ConnectionOptions['tls'] } : {}),
  };
}

/** Node's certificate errors (`UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `ERR_TLS_CERT_ALTNAME_INVALID`, ...). */
const TLS_CODE = /CERT|SSL|TLS|SIGNATURE|ISSUER/;

/** The TLS reason in a dial error and its causes, if that is what failed. */
function tlsFailure(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined; e; ) {
    if (typeof e.code === 'string' && TLS_CODE.test(e.code)) return `${e.message} (${e.code})`;
    if (typeof e.message === 'string' && /does not support 'tls'|requires tls/i.test(e.message))
      return e.message;
    e = e.cause as typeof e | undefined;
  }
  return undefined;
}

function isInvalidOption(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown };
  return e.code === 'ERR_INVALID_URL' || e.name === 'InvalidArgumentError';
}

function tlsError(options: ConnectOptions, reason: string, cause: unknown): ImpulseError {
  const fix = options.tlsSetting
    ? `check ${options.tlsSetting}`
    : "set the CA that signed the server's certificate (IMPULSE_BUS_TLS_CA_FILE, or the EventBus's spec.jetstreamExotic.tls.caCertSecret)";
  return new ImpulseError(
    'PERMANENT',
    `cannot connect to NATS at ${options.url}: TLS failed: ${reason}; ${fix}`,
    { cause },
  );
}
