import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import {
  type AgentOptions,
  Agent as HttpsAgent,
  request as httpsRequest,
  type RequestOptions,
} from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { ImpulseError } from '../errors.ts';
import { kubeError } from '../kube.ts';
import type { StatusCause } from './types.ts';

/** What a request sends; `allow` lists statuses outside 2xx that are answers, not errors (404). */
export interface TransportRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  contentType?: string;
  allow?: number[];
  signal?: AbortSignal;
}

export interface TransportOptions {
  /** Connections kept open to the API server at most. @default 32 */
  maxSockets?: number;
  /** A request whose connection stays silent this long fails (not for watches). @default 30 s */
  timeoutMs?: number;
}

/** The largest answer read from the API server (a List of big objects stays well under it). */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;
/** Exec plugins and token files rotate credentials: they are read again after this long. */
const CREDENTIALS_TTL_MS = 60_000;

/**
 * HTTP to the API server of a kubeconfig with its credentials (CA, client certificate, bearer or
 * exec token, via client-node's `applyToHTTPSOptions`), over keep-alive connections. A request lost
 * because the server closed a kept-alive connection just as it was reused never arrived, so it is
 * sent again on a fresh one; a 401 reads the credentials again and resends once. Failures are
 * `kubeError`s (TRANSIENT or PERMANENT, HTTP status and `Status.details.causes` in `details`);
 * an aborted request is `CLOSED`.
 */
export class KubeTransport {
  readonly server: URL;
  readonly #kc: KubeConfig;
  readonly #maxSockets: number;
  readonly #timeoutMs: number;
  #credentials: Promise<{ options: RequestOptions; at: number }> | undefined;
  #agent: { agent: HttpAgent; tls: unknown[] } | undefined;

  constructor(kc: KubeConfig, options: TransportOptions = {}) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new ImpulseError('INVALID_INPUT', 'the kubeconfig has no current cluster');
    this.#kc = kc;
    this.server = new URL(cluster.server.endsWith('/') ? cluster.server : `${cluster.server}/`);
    this.#maxSockets = options.maxSockets ?? 32;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Ends every connection; requests still running fail. */
  close(): void {
    this.#agent?.agent.destroy();
    this.#agent = undefined;
  }

  /** Sends a request and reads the whole answer; `what` names it in errors. */
  async send(request: TransportRequest, what: string): Promise<{ status: number; text: string }> {
    const res = await this.open(request, what, false);
    const status = res.statusCode ?? 0;
    const text = await readAll(res).catch((err: unknown) => {
      throw this.#failure(err, what, request.signal);
    });
    if ((status >= 200 && status < 300) || request.allow?.includes(status)) return { status, text };
    throw answerError(status, text, what);
  }

  /**
   * Sends a request and answers the response as it starts, for streams (watches): the caller reads
   * and destroys it. Answers outside 2xx and `allow` are read and thrown as errors.
   */
  async open(request: TransportRequest, what: string, stream = true): Promise<IncomingMessage> {
    let reread = false;
    for (let attempt = 0; ; attempt++) {
      const base = await this.#options(reread).catch((err: unknown) => {
        throw new ImpulseError(
          'INVALID_INPUT',
          `${what}: cannot use the kubeconfig's credentials: ${(err as Error).message}`,
          { cause: err },
        );
      });
      let res: IncomingMessage;
      try {
        res = await this.#once(base, request, !stream);
      } catch (err) {
        if (err instanceof StaleSocket && attempt < 3) continue;
        throw this.#failure(err instanceof StaleSocket ? err.cause : err, what, request.signal);
      }
      const status = res.statusCode ?? 0;
      if (status === 401 && !reread) {
        // Credentials that rotated since they were read: read them again and resend once.
        res.resume();
        reread = true;
        continue;
      }
      if (!stream || (status >= 200 && status < 300) || request.allow?.includes(status)) return res;
      const text = await readAll(res).catch(() => '');
      throw answerError(status, text, what);
    }
  }

  #once(base: RequestOptions, request: TransportRequest, timeout: boolean): Promise<IncomingMessage> {
    const url = new URL(request.path.replace(/^\//, ''), this.server);
    for (const [k, v] of Object.entries(request.query ?? {})) if (v !== '') url.searchParams.set(k, v);
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
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { ...base, method: request.method, headers, signal: request.signal }, resolve);
      if (timeout) {
        req.setTimeout(this.#timeoutMs, () =>
          req.destroy(new Error(`no answer from the API server within ${this.#timeoutMs / 1000} s`)),
        );
      }
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed just as it was reused: the request never arrived.
        if (req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE'))
          reject(new StaleSocket(err));
        else reject(err);
      });
      req.end(payload);
    });
  }

  #failure(err: unknown, what: string, signal: AbortSignal | undefined): ImpulseError {
    if (signal?.aborted) return new ImpulseError('CLOSED', `${what}: stopped`, { cause: err });
    return kubeError(err, what);
  }

  async #options(fresh: boolean): Promise<RequestOptions> {
    const pending = this.#credentials;
    const current = pending && !fresh ? await pending.catch(() => undefined) : undefined;
    if (current && Date.now() - current.at < CREDENTIALS_TTL_MS) return current.options;
    // Another request started reading them meanwhile: share its answer.
    if (!fresh && pending !== this.#credentials) return this.#options(false);
    const now = Date.now();
    const loading = (async () => {
      const options: RequestOptions = {};
      await this.#kc.applyToHTTPSOptions(options);
      // Through a proxy client-node's proxy agent carries the connection; otherwise our keep-alive one.
      if (!this.#kc.getCurrentCluster()?.proxyUrl) options.agent = this.#keepAlive(options);
      return { options, at: now };
    })();
    this.#credentials = loading;
    return (await loading).options;
  }

  /** The keep-alive agent for these TLS settings; made again only when they change. */
  #keepAlive(o: RequestOptions): HttpAgent {
    const tls = [o.ca, o.cert, o.key, o.pfx, o.passphrase, o.rejectUnauthorized, o.servername];
    if (this.#agent && tls.every((v, i) => same(v, this.#agent!.tls[i]))) return this.#agent.agent;
    this.#agent?.agent.destroy();
    const options: AgentOptions = { keepAlive: true, maxSockets: this.#maxSockets };
    const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = o;
    for (const [name, value] of Object.entries({
      ca,
      cert,
      key,
      pfx,
      passphrase,
      rejectUnauthorized,
      servername,
    })) {
      if (value !== undefined) (options as Record<string, unknown>)[name] = value;
    }
    const agent = this.server.protocol === 'http:' ? new HttpAgent(options) : new HttpsAgent(options);
    this.#agent = { agent, tls };
    return agent;
  }
}

function same(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

/** A request lost on a reused keep-alive connection; safe to send again on a fresh one. */
class StaleSocket extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
  }
}

/**
 * An answer outside 2xx as a classified error, with the Status' causes in `details.causes`. A
 * server-side apply conflict is PERMANENT: applying the same body again conflicts again.
 */
function answerError(status: number, text: string, what: string): ImpulseError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text.trim() === '' ? undefined : { message: text.trim().slice(0, 200) };
  }
  const error = kubeError({ code: status, body, message: `HTTP ${status}` }, what);
  const raw = (body as { details?: { causes?: unknown } } | undefined)?.details?.causes;
  const causes = Array.isArray(raw) ? (raw as StatusCause[]) : [];
  if (causes.length === 0) return error;
  const conflict = status === 409 && causes.some((c) => c.reason === 'FieldManagerConflict');
  return new ImpulseError(conflict ? 'PERMANENT' : error.code, error.message, {
    cause: error.cause,
    details: { ...error.details, causes },
  });
}

async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > MAX_ANSWER_BYTES) {
      res.destroy();
      throw new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
