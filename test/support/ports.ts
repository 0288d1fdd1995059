import { createServer, type Server } from 'node:net';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago (the OS picked it for a listener that is
 * closed again). Another process may take it in between; tests that can pass port 0 should.
 */
export async function freePort(): Promise<number> {
  const server = await listen(0);
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Holds a port busy until disposed, for tests of "port in use". */
export interface OccupiedPort extends AsyncDisposable {
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on a free port (on every address, so nothing else can bind it) until closed. */
export async function occupyPort(): Promise<OccupiedPort> {
  const server: Server = await listen(0, '0.0.0.0');
  const { port } = server.address() as { port: number };
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => server.close(() => resolve()));
    return closing;
  };
  return { port, close, [Symbol.asyncDispose]: close };
}

function listen(port: number, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
