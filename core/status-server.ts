import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.ts';

export interface StatusServerOptions {
  port: number;
  host?: string;
  metrics: Metrics;
  /** Whether the process is healthy (connected and subscribed); with a reason when not. */
  health(): { ok: boolean; detail: Record<string, unknown> };
}

export interface StatusServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `GET /health` (200 or 503 with a JSON body) and `GET /metrics` (Prometheus text). */
export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/health') {
      const { ok, detail } = options.health();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', ...detail }));
      return;
    }
    if (path === '/metrics') {
      options.metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': options.metrics.registry.contentType }).end(text);
        },
        (err: unknown) => {
          res.writeHead(500).end(String(err));
        },
      );
      return;
    }
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: `no route ${path}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    port: (server.address() as AddressInfo).port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
