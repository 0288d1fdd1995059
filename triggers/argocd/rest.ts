import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ImpulseError } from '../../core/errors.ts';
import type { ArgoCdClient, SyncRequest } from './client.ts';
import { inProgressError, isInProgressMessage } from './client.ts';

export interface RestOptions {
  /** `https://argocd-server.argocd`. */
  server: string;
  token: string;
  app: string;
  /** Sent as `appNamespace` (applications in any namespace). */
  namespace: string | undefined;
  tls: { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean };
  /** Per request. @default 30000 */
  timeoutMs?: number;
}

/**
 * Argo CD's REST API: `POST /api/v1/applications/{name}/sync` and `GET /api/v1/applications/{name}`
 * with a bearer token. 401 and 403 (the token), 404 (no such application) and other 4xx are
 * `PERMANENT`; 5xx and network failures `TRANSIENT`; a refusal because another operation runs is
 * the in-progress error, which the trigger waits out.
 */
export function restClient(o: RestOptions): ArgoCdClient {
  const base = new URL(`/api/v1/applications/${encodeURIComponent(o.app)}`, o.server);
  const secure = base.protocol === 'https:';
  const agent = secure ? new HttpsAgent({ keepAlive: true, ...o.tls }) : new HttpAgent({ keepAlive: true });
  const query = o.namespace ? `?appNamespace=${encodeURIComponent(o.namespace)}` : '';
  const where = `argocd ${o.server}: application ${o.namespace ? `${o.namespace}/` : ''}${o.app}`;

  const call = (method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const url = new URL(`${base.pathname}${path}${query}`, base);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string | number> = {
        authorization: `Bearer ${o.token}`,
        accept: 'application/json',
      };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(payload);
      }
      const send = secure ? httpsRequest : httpRequest;
      const req = send(url, { method, headers, agent, signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (err) => reject(err));
      });
      req.setTimeout(o.timeoutMs ?? 30_000, () =>
        req.destroy(new Error(`no answer within ${(o.timeoutMs ?? 30_000) / 1000} s`)),
      );
      req.on('error', reject);
      req.end(payload);
    }).catch((err: unknown) => {
      throw new ImpulseError('TRANSIENT', `${where}: ${method} failed: ${(err as Error).message}`, {
        cause: err,
      });
    });

  const judge = (method: string, status: number, text: string): void => {
    if (status >= 200 && status < 300) return;
    const message = errorMessage(text);
    if (isInProgressMessage(message) || (status === 409 && method === 'POST'))
      throw inProgressError(where, message);
    const details = { status };
    if (status === 401 || status === 403) {
      throw new ImpulseError(
        'PERMANENT',
        `${where}: ${status}: the token was refused (${message}); check the token secret`,
        {
          details,
        },
      );
    }
    if (status === 404) {
      throw new ImpulseError(
        'PERMANENT',
        `${where}: 404: no such application (${message}); check app and namespace`,
        {
          details,
        },
      );
    }
    const code = status >= 500 || status === 429 || status === 408 ? 'TRANSIENT' : 'PERMANENT';
    throw new ImpulseError(code, `${where}: ${method} answered ${status}: ${message}`, { details });
  };

  return {
    describe: where,
    async sync(request: SyncRequest, signal: AbortSignal) {
      const body: Record<string, unknown> = { name: o.app };
      if (request.revision) body.revision = request.revision;
      if (request.prune !== undefined) body.prune = request.prune;
      if (request.dryRun !== undefined) body.dryRun = request.dryRun;
      body.strategy = { [request.strategy]: {} };
      if (request.resources) body.resources = request.resources;
      if (request.syncOptions) body.syncOptions = { items: request.syncOptions };
      if (o.namespace) body.appNamespace = o.namespace;
      const { status, text } = await call('POST', '/sync', body, signal);
      judge('POST', status, text);
    },
    async get(signal: AbortSignal) {
      const { status, text } = await call('GET', '', undefined, signal);
      judge('GET', status, text);
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new ImpulseError('TRANSIENT', `${where}: the answer is not JSON`, { cause: err });
      }
    },
    async close() {
      agent.destroy();
    },
  };
}

/** Argo CD's gateway answers `{"error": ..., "code": <gRPC code>, "message": ...}`. */
function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    const m = parsed.message ?? parsed.error;
    if (typeof m === 'string' && m !== '') return m;
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 200) || '(no message)';
}
