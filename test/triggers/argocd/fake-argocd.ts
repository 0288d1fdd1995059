import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Application the fake Argo CD knows. */
export interface FakeApp {
  operation?: Record<string, unknown> | undefined;
  status: Record<string, unknown>;
}

export interface FakeArgoCd extends AsyncDisposable {
  url: string;
  token: string;
  apps: Map<string, FakeApp>;
  /** Every request: method, path (with query), authorization header and parsed body. */
  requests: Array<{ method: string; path: string; authorization: string | undefined; body: unknown }>;
  /** The next `n` sync requests are refused as Argo CD refuses them while an operation runs. */
  busy(n: number, status?: number): void;
  /** How the next operations end. @default Succeeded */
  outcome: { phase: 'Succeeded' | 'Failed' | 'Error'; message: string; afterMs: number };
  close(): Promise<void>;
}

/**
 * A local HTTP server that answers like Argo CD's API server: bearer-token auth (401), unknown
 * applications (404, with Argo CD's gateway error body), "another operation is already in progress"
 * while busy, and an operation that runs for `outcome.afterMs` and then ends with `outcome.phase`,
 * clearing `operation` as Argo CD's controller does.
 */
export async function startFakeArgoCd(token = 'argocd-test-token'): Promise<FakeArgoCd> {
  const apps = new Map<string, FakeApp>();
  const requests: FakeArgoCd['requests'] = [];
  let busy = 0;
  let busyStatus = 409;
  const fake = {
    url: '',
    token,
    apps,
    requests,
    busy(n: number, status = 409) {
      busy = n;
      busyStatus = status;
    },
    outcome: { phase: 'Succeeded' as const, message: 'successfully synced (all tasks run)', afterMs: 150 },
  } as unknown as FakeArgoCd;

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const grpcError = (res: ServerResponse, status: number, code: number, message: string) =>
    answer(res, status, { error: message, code, message });

  const handle = (req: IncomingMessage, res: ServerResponse, text: string) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = text ? JSON.parse(text) : undefined;
    requests.push({
      method: req.method ?? '',
      path: `${url.pathname}${url.search}`,
      authorization: req.headers.authorization,
      body,
    });
    if (req.headers.authorization !== `Bearer ${token}`)
      return grpcError(res, 401, 16, 'invalid session: token is not valid');
    const m = /^\/api\/v1\/applications\/([^/]+)(\/sync)?$/.exec(url.pathname);
    if (!m) return grpcError(res, 404, 5, 'Not Found');
    const name = decodeURIComponent(m[1]!);
    const app = apps.get(name);
    if (!app) return grpcError(res, 404, 5, `applications.argoproj.io "${name}" not found`);
    if (req.method === 'GET' && !m[2]) return answer(res, 200, { metadata: { name }, ...app });
    if (req.method !== 'POST' || !m[2]) return grpcError(res, 405, 12, 'Method Not Allowed');
    if (busy > 0 || app.operation) {
      busy = Math.max(0, busy - 1);
      return grpcError(res, busyStatus, 9, 'another operation is already in progress');
    }
    const revision = (body as { revision?: string }).revision || 'abc123';
    app.operation = { sync: body };
    app.status = { ...app.status, operationState: { phase: 'Running', operation: { sync: body } } };
    const { phase, message, afterMs } = fake.outcome;
    setTimeout(() => {
      app.operation = undefined;
      app.status = {
        operationState: { phase, message, syncResult: { revision } },
        sync: { status: phase === 'Succeeded' ? 'Synced' : 'OutOfSync', revision },
        health: { status: phase === 'Succeeded' ? 'Healthy' : 'Degraded' },
      };
    }, afterMs);
    answer(res, 200, { metadata: { name }, ...app });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  fake[Symbol.asyncDispose] = () => fake.close();
  return fake;
}
