import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ImpulseError } from '../../core/errors.ts';

export interface HttpRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Keep-alive agents: a trigger firing thousands of times a second reuses its connections. */
export interface HttpAgents {
  http: HttpAgent;
  https: HttpsAgent;
}

export function createAgents(
  tls: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean } = {},
): HttpAgents {
  return {
    http: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
    https: new HttpsAgent({ keepAlive: true, maxSockets: 64, ...tls }),
  };
}

/** The largest response body kept (for error messages); the rest is read and dropped. */
const MAX_KEPT_BODY = 4096;

/**
 * Sends one request. Network failures and timeouts reject with `TRANSIENT`; any answer resolves,
 * whatever its status (the caller's policy decides).
 */
export function sendRequest(req: HttpRequest, agents: HttpAgents): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const secure = req.url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    const outgoing = send(
      req.url,
      { method: req.method, headers, agent: secure ? agents.https : agents.http, signal: req.signal },
      (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept < MAX_KEPT_BODY) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_KEPT_BODY),
          });
        });
        res.on('error', (err) => reject(transient(req, err)));
      },
    );
    outgoing.setTimeout(req.timeoutMs, () => {
      outgoing.destroy(
        new ImpulseError(
          'TIMEOUT',
          `${req.method} ${redact(req.url)}: no answer within ${req.timeoutMs / 1000} s`,
        ),
      );
    });
    outgoing.on('error', (err) => reject(err instanceof ImpulseError ? err : transient(req, err)));
    outgoing.end(req.body);
  });
}

function transient(req: HttpRequest, err: Error): ImpulseError {
  return new ImpulseError('TRANSIENT', `${req.method} ${redact(req.url)}: ${err.message}`, { cause: err });
}

/** The URL without user info or query, which may carry credentials. */
export function redact(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
