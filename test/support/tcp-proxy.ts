import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A loopback TCP proxy a test owns, to cut a client's connection to a shared server (RabbitMQ,
 * Mosquitto, Redis) without touching the server, which other tests use at the same time.
 */
export interface TcpProxy extends AsyncDisposable {
  /** The port clients connect to. */
  readonly port: number;
  /** Connections forwarded right now. */
  readonly open: number;
  /**
   * When each connection attempt made while cut arrived (`performance.now()`), to check that a
   * client backs off instead of hammering.
   */
  readonly refused: readonly number[];
  /** Drops every connection; new ones are accepted and closed at once until `restore()`. */
  cut(): void;
  /** Forwards new connections again. */
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const host = target.host ?? '127.0.0.1';
  const pairs = new Set<[Socket, Socket]>();
  const refused: number[] = [];
  let cut = false;
  const server = createServer((client) => {
    client.on('error', () => undefined);
    if (cut) {
      refused.push(performance.now());
      client.destroy();
      return;
    }
    const upstream = createConnection({ host, port: target.port });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.once('close', drop);
    upstream.once('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  let closing: Promise<void> | undefined;
  const dropAll = () => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      dropAll();
      server.close(() => resolve());
    });
    return closing;
  };
  return {
    port,
    get open() {
      return pairs.size;
    },
    refused,
    cut() {
      cut = true;
      refused.length = 0;
      dropAll();
    },
    restore() {
      cut = false;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
