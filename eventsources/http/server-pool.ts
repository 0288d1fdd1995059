import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ImpulseError } from '../../core/errors.ts';
import { type Logger, silentLogger } from '../../core/logger.ts';
import { buildPortServer } from './port-server.ts';
import { RouteState, type TlsMaterial, type WebhookRoute, type WebhookRouteOptions } from './route.ts';

export type {
  TlsMaterial,
  WebhookRequest,
  WebhookRequestHead,
  WebhookResponse,
  WebhookRoute,
  WebhookRouteOptions,
} from './route.ts';
export { DEFAULT_MAX_PAYLOAD_SIZE, errorResponse } from './route.ts';

/**
 * The HTTP servers of an EventSource process: one per port, shared by every event that listens on
 * it, as Argo Events does. Routes are registered first, then `start()` opens every port.
 */
export interface WebhookServerPool {
  /**
   * Registers a route. Throws `INVALID_MANIFEST` when it clashes with one already registered (the
   * same method and endpoint on the port, or a different TLS setting for the port), naming both
   * owners, and `INVALID_STATE` once the pool has started.
   */
  route(options: WebhookRouteOptions): WebhookRoute;
  /**
   * Opens every port that has routes. Rejects, naming the port and the events on it, when one
   * cannot be opened (port in use, bad certificate); the ports already open are closed again.
   */
  start(): Promise<void>;
  /** The port actually listening for configured `port` (differs when 0 was asked for). */
  boundPort(port: number): number | undefined;
  /**
   * Stops accepting connections, waits for requests in flight, closes idle keep-alive connections.
   * Safe to call twice; callers drain their routes first (`WebhookRoute.close()`).
   */
  close(): Promise<void>;
}

export interface WebhookServerPoolOptions {
  /** @default a silent logger */
  logger?: Logger;
  /** The address every port binds. @default 0.0.0.0 */
  host?: string;
  /** Whether `GET /health` answers 200; typically "the bus is connected". @default always */
  healthy?(): boolean;
}

interface PortEntry {
  routes: RouteState[];
  tls: TlsMaterial | undefined;
  app?: FastifyInstance;
  bound?: number;
}

type PoolState = 'registering' | 'starting' | 'running' | 'closed';

/** Creates an empty pool; see `WebhookServerPool`. */
export function createWebhookServerPool(options: WebhookServerPoolOptions = {}): WebhookServerPool {
  const logger = options.logger ?? silentLogger();
  const host = options.host ?? '0.0.0.0';
  const healthy = options.healthy ?? (() => true);
  const ports = new Map<number, PortEntry>();
  let state: PoolState = 'registering';
  let starting: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  const owners = (entry: PortEntry) => entry.routes.map((r) => r.options.owner).join(', ');

  function route(routeOptions: WebhookRouteOptions): WebhookRoute {
    if (state !== 'registering') {
      throw new ImpulseError(
        'INVALID_STATE',
        `cannot add ${routeOptions.owner}: the webhook servers have already been started`,
      );
    }
    const method = routeOptions.method.toUpperCase();
    const candidate = new RouteState({ ...routeOptions, method });
    let entry = ports.get(routeOptions.port);
    if (!entry) {
      entry = { routes: [], tls: routeOptions.tls };
      ports.set(routeOptions.port, entry);
    } else {
      const first = entry.routes[0]!;
      if (!sameTls(entry.tls, routeOptions.tls)) {
        throw new ImpulseError(
          'INVALID_MANIFEST',
          `${routeOptions.owner} and ${first.options.owner} share port ${routeOptions.port} but ${describeTls(
            entry.tls,
            routeOptions.tls,
            first.options.owner,
            routeOptions.owner,
          )}; events on one port must use the same serverCertSecret and serverKeySecret`,
          { details: { port: routeOptions.port, events: [first.options.owner, routeOptions.owner] } },
        );
      }
      const clash = entry.routes.find(
        (r) => r.options.method === method && r.options.endpoint === routeOptions.endpoint,
      );
      if (clash) {
        throw new ImpulseError(
          'INVALID_MANIFEST',
          `${routeOptions.owner}: ${method} ${routeOptions.endpoint} on port ${routeOptions.port} is already used by ${clash.options.owner}; each event needs its own endpoint`,
          { details: { port: routeOptions.port, events: [clash.options.owner, routeOptions.owner] } },
        );
      }
    }
    entry.routes.push(candidate);
    return candidate;
  }

  async function listen(port: number, entry: PortEntry): Promise<void> {
    try {
      const app = buildPortServer({ port, routes: entry.routes, tls: entry.tls, logger, healthy });
      entry.app = app;
      await app.listen({ port, host });
      entry.bound = (app.server.address() as AddressInfo).port;
      logger.info(
        { port: entry.bound, tls: entry.tls !== undefined, events: owners(entry) },
        'webhook server listening',
      );
      for (const r of entry.routes) r.listened(entry.bound);
    } catch (err) {
      const error = listenError(port, owners(entry), err);
      for (const r of entry.routes) r.listened(port, error);
      throw error;
    }
  }

  async function start(): Promise<void> {
    if (state === 'closed') throw new ImpulseError('CLOSED', 'the webhook servers are closed');
    starting ??= (async () => {
      state = 'starting';
      const results = await Promise.allSettled([...ports].map(([port, entry]) => listen(port, entry)));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        await closeAll();
        state = 'closed';
        throw failed.reason;
      }
      state = 'running';
    })();
    return starting;
  }

  async function closeAll(): Promise<void> {
    const results = await Promise.allSettled([...ports.values()].map((entry) => entry.app?.close()));
    for (const r of results) {
      if (r.status === 'rejected') logger.warn({ err: r.reason }, 'closing a webhook server failed');
    }
  }

  return {
    route,
    start,
    boundPort: (port) => ports.get(port)?.bound,
    close() {
      closing ??= (async () => {
        // A start in progress finishes first, so no server opens after close.
        await starting?.catch(() => undefined);
        state = 'closed';
        for (const entry of ports.values()) {
          for (const r of entry.routes)
            r.listened(entry.bound ?? r.port, new ImpulseError('CLOSED', 'closed before listening'));
        }
        await closeAll();
      })();
      return closing;
    },
  };
}

function sameTls(a: TlsMaterial | undefined, b: TlsMaterial | undefined): boolean {
  if (!a || !b) return a === b;
  return a.cert === b.cert && a.key === b.key;
}

function describeTls(
  existing: TlsMaterial | undefined,
  added: TlsMaterial | undefined,
  existingOwner: string,
  addedOwner: string,
): string {
  if (existing && !added) return `${existingOwner} serves HTTPS and ${addedOwner} plain HTTP`;
  if (!existing && added) return `${addedOwner} serves HTTPS and ${existingOwner} plain HTTP`;
  return 'they use different certificates';
}

function listenError(port: number, events: string, err: unknown): ImpulseError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'EADDRINUSE'
      ? 'the port is already in use'
      : code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges)'
        : err instanceof Error
          ? err.message
          : String(err);
  return new ImpulseError('INVALID_STATE', `cannot listen on port ${port} for ${events}: ${reason}`, {
    cause: err,
    details: { port, events },
  });
}
