import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { ImpulseError } from '../../../core/errors.ts';
import { kubeError } from '../../../core/kube.ts';
import { isJsonObject } from './kube-object.ts';

/** An API answer outside 2xx, shaped as client-node's ApiException so `kubeError` classifies it. */
class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${code}`);
  }
}

/**
 * HTTP to the API server with the kubeconfig's credentials, over keep-alive connections (client-node
 * opens a connection per request). Answers outside 2xx (and `allow`) become `kubeError`s, so they
 * are TRANSIENT or PERMANENT as retries need.
 */
export class KubeTransport {
  readonly #kc: KubeConfig;
  readonly #server: URL;
  readonly #maxSockets: number;
  #transport: Promise<{ options: RequestOptions; at: number }> | undefined;
  #agent: HttpAgent | undefined;

  constructor(kc: KubeConfig, maxSockets: number) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ImpulseError('INVALID_INPUT', 'the kubeconfig has no current cluster');
    this.#kc = kc;
    this.#server = new URL(cluster.server);
    this.#maxSockets = maxSockets;
  }

  close(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
  }

  async #options(): Promise<RequestOptions> {
    const now = Date.now();
    const current = await this.#transport;
    // Tokens from exec plugins and files rotate; read the credentials again now and then.
    if (current && now - current.at < 60_000) return current.options;
    this.#transport = (async () => {
      const options: RequestOptions = {};
      await this.#kc.applyToHTTPSOptions(options);
      const proxied = Boolean(this.#kc.getCurrentCluster()?.proxyUrl);
      if (!proxied) {
        this.#agent?.destroy();
        const agentOptions = {
          keepAlive: true,
          maxSockets: this.#maxSockets,
          ca: options.ca,
          cert: options.cert,
          key: options.key,
          ...(options.rejectUnauthorized === undefined
            ? {}
            : { rejectUnauthorized: options.rejectUnauthorized }),
          ...(options.servername ? { servername: options.servername } : {}),
        };
        this.#agent =
          this.#server.protocol === 'http:' ? new HttpAgent(agentOptions) : new HttpsAgent(agentOptions);
        options.agent = this.#agent;
      }
      return { options, at: now };
    })();
    this.#transport.catch(() => {
      this.#transport = undefined;
    });
    return (await this.#transport).options;
  }

  async send(
    method: string,
    path: string,
    request: { query?: Record<string, string>; body?: unknown; contentType?: string },
    what: string,
    allow: number[] = [],
  ): Promise<{ status: number; body: unknown }> {
    const base = await this.#options().catch((err: unknown) => {
      throw new ImpulseError(
        'INVALID_INPUT',
        `cannot use the kubeconfig's credentials: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    });
    const url = new URL(this.#server.pathname.replace(/\/$/, '') + path, this.#server);
    for (const [k, v] of Object.entries(request.query ?? {})) url.searchParams.set(k, v);
    const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string> = {
      ...(base.headers as Record<string, string>),
      Accept: 'application/json',
    };
    if (payload !== undefined) {
      headers['Content-Type'] = request.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    const once = () =>
      new Promise<{ status: number; body: unknown }>((resolve, reject) => {
        const req = send(url, { ...base, method, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = text === '' ? undefined : JSON.parse(text);
            } catch {
              // Not JSON (a proxy's HTML page): keep the text for the error message.
            }
            const status = res.statusCode ?? 0;
            if ((status >= 200 && status < 300) || allow.includes(status)) resolve({ status, body });
            else
              reject(
                new KubeApiError(status, isJsonObject(body) ? body : { message: String(text).slice(0, 200) }),
              );
          });
        });
        req.on('error', (err: NodeJS.ErrnoException) => {
          // A kept-alive connection the server closed just as it was reused: the request never arrived.
          if (req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE'))
            reject(new StaleSocket(err));
          else reject(err);
        });
        req.end(payload);
      });
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return await once();
        } catch (err) {
          if (!(err instanceof StaleSocket)) throw err;
          if (attempt >= 3) throw err.cause;
        }
      }
    } catch (err) {
      throw kubeError(err, what);
    }
  }
}

/** A request lost on a reused keep-alive connection; safe to send again on a fresh one. */
class StaleSocket extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}
