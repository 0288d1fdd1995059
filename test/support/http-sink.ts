import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface HttpSink extends AsyncDisposable {
  url: string;
  received: ReceivedRequest[];
  /** Decides each answer; default 200. May return a promise to hold the request. */
  respond: (req: ReceivedRequest, index: number) => number | Promise<number>;
  close(): Promise<void>;
}

/** A local HTTP server that records every request, for trigger tests. */
export async function startHttpSink(): Promise<HttpSink> {
  const received: ReceivedRequest[] = [];
  const sink: HttpSink = {
    url: '',
    received,
    respond: () => 200,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    [Symbol.asyncDispose]: () => sink.close(),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json };
      const index = received.length;
      received.push(request);
      const status = await sink.respond(request, index);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : `status ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return sink;
}
