import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import { ImpulseError } from '../../core/errors.ts';
import { kubeError } from '../../core/kube.ts';

/** The API server's answer to a request that failed, shaped as client-node's `ApiException`. */
class ApiAnswer extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
  ) {
    super(`HTTP ${code}`);
  }
}

/** One line of a watch stream. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

/**
 * Plain GETs and watch streams against the API server of a kubeconfig, with its credentials (CA,
 * client certificate, bearer token; refreshed per request, so exec and token-file credentials stay
 * current). Errors are `kubeError`s: `TRANSIENT` or `PERMANENT`, with the HTTP status in `details`.
 */
export class KubeHttp {
  constructor(private readonly kc: KubeConfig) {}

  /** The API server's URL, for messages. */
  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '(no cluster)';
  }

  /** GETs `path` and parses the JSON answer; `what` names the request in errors. */
  async getJson(
    path: string,
    query: Record<string, string>,
    signal: AbortSignal,
    what: string,
  ): Promise<unknown> {
    const res = await this.open(path, query, signal, what);
    const text = await readAll(res, signal).catch((err: unknown) => {
      throw kubeError(err, what);
    });
    if (res.statusCode !== 200) throw kubeError(new ApiAnswer(res.statusCode ?? 0, text), what);
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new ImpulseError('TRANSIENT', `${what}: the answer is not JSON`, { cause: err });
    }
  }

  /**
   * Opens a watch and yields its events as they arrive (the stream pauses while the caller is busy
   * with one). Ends when the server closes the stream; rejects with a `kubeError` when the server
   * refuses the watch (410 included) or the connection breaks.
   */
  async *watch(
    path: string,
    query: Record<string, string>,
    signal: AbortSignal,
    what: string,
  ): AsyncGenerator<WatchEvent> {
    const res = await this.open(path, { ...query, watch: 'true' }, signal, what);
    if (res.statusCode !== 200) {
      const text = await readAll(res, signal).catch(() => '');
      throw kubeError(new ApiAnswer(res.statusCode ?? 0, text), what);
    }
    const lines = createInterface({ input: res, crlfDelay: Number.POSITIVE_INFINITY });
    try {
      for await (const line of lines) {
        if (line.trim() === '') continue;
        let parsed: WatchEvent;
        try {
          parsed = JSON.parse(line) as WatchEvent;
        } catch (err) {
          throw new ImpulseError('TRANSIENT', `${what}: a watch event is not JSON`, { cause: err });
        }
        yield parsed;
      }
    } catch (err) {
      if (signal.aborted) return;
      throw kubeError(err, what);
    } finally {
      lines.close();
      res.destroy();
    }
  }

  private async open(
    path: string,
    query: Record<string, string>,
    signal: AbortSignal,
    what: string,
  ): Promise<IncomingMessage> {
    const url = new URL(this.server + path);
    for (const [k, v] of Object.entries(query)) if (v !== '') url.searchParams.set(k, v);
    const options: { headers?: Record<string, string>; agent?: unknown } = {};
    try {
      await this.kc.applyToHTTPSOptions(options as never);
    } catch (err) {
      throw new ImpulseError(
        'PERMANENT',
        `${what}: cannot apply the kubeconfig's credentials: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(
        url,
        {
          method: 'GET',
          headers: { ...options.headers, accept: 'application/json' },
          agent: options.agent as never,
          signal,
        },
        resolve,
      );
      req.on('error', (err) =>
        reject(signal.aborted ? new ImpulseError('CLOSED', `${what}: stopped`) : kubeError(err, what)),
      );
      req.end();
    });
  }
}

async function readAll(res: IncomingMessage, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) {
    if (signal.aborted) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
