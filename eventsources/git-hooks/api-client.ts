import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ClientTls } from '../../core/client-tls.ts';
import { ImpulseError } from '../../core/errors.ts';

export interface ApiClientOptions {
  /** The API root, e.g. `https://api.github.com/` or `https://gitlab.com/api/v4/`. */
  baseUrl: string;
  /** The provider's name, for errors: `GitHub API`. */
  what: string;
  /** Authentication headers, asked for each request (an App token may have been renewed). */
  auth(signal?: AbortSignal): Promise<Record<string, string>> | Record<string, string>;
  tls?: ClientTls;
  /** @default 10000 */
  timeoutMs?: number;
}

export interface ApiResponse<T> {
  status: number;
  data: T;
}

/** A small JSON client for a Git provider's REST API, used only to manage hooks. */
export interface ApiClient {
  /** `path` is relative to the base URL (no leading `/`); segments must be encoded by the caller. */
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<ApiResponse<T>>;
}

/**
 * Creates an API client on Node's own HTTP stack (so a `tls` block's CA and client certificate
 * apply). A 2xx answer resolves with its JSON; anything else rejects with an `ImpulseError` that is
 * `TRANSIENT` for network failures, timeouts, 408, 429 and 5xx, and `PERMANENT` otherwise (a wrong
 * token, a missing repository). Messages name the method, the path and the status, never a header.
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal) {
      const url = new URL(path, base);
      const what = `${options.what} ${method} ${url.pathname}`;
      const headers: Record<string, string> = {
        accept: 'application/json',
        'user-agent': 'impulse-eventsource',
        ...(await options.auth(signal)),
      };
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      if (payload) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(payload.length);
      }
      const { status, text } = await send(
        url,
        method,
        headers,
        payload,
        options.tls,
        timeoutMs,
        signal,
        what,
      );
      if (status < 200 || status > 299) {
        const transient = status === 408 || status === 429 || status >= 500;
        throw new ImpulseError(
          transient ? 'TRANSIENT' : 'PERMANENT',
          `${what}: HTTP ${status}${describe(text)}`,
          { details: { status } },
        );
      }
      let data: unknown = null;
      if (/\S/.test(text)) {
        try {
          data = JSON.parse(text);
        } catch (err) {
          throw new ImpulseError('PERMANENT', `${what}: the answer is not JSON`, { cause: err });
        }
      }
      return { status, data: data as T };
    },
  };
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  payload: Buffer | undefined,
  tls: ClientTls | undefined,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  what: string,
): Promise<{ status: number; text: string }> {
  const https = url.protocol === 'https:';
  const request = https ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        headers,
        timeout: timeoutMs,
        ...(signal ? { signal } : {}),
        ...(https && tls ? tls : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (err) => reject(networkError(what, err)));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => reject(networkError(what, err)));
    req.end(payload);
  });
}

function networkError(what: string, err: Error): ImpulseError {
  if (err.name === 'AbortError') return new ImpulseError('CLOSED', `${what}: aborted`, { cause: err });
  return new ImpulseError('TRANSIENT', `${what}: ${err.message}`, { cause: err });
}

/** The provider's own error text, shortened: `: Not Found`. */
function describe(text: string): string {
  let message = text;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const found = parsed.message ?? parsed.error ?? parsed.errors;
    message = typeof found === 'string' ? found : JSON.stringify(found ?? parsed);
  } catch {
    // Not JSON: the text itself.
  }
  message = message.replace(/\s+/g, ' ').trim().slice(0, 200);
  return message ? `: ${message}` : '';
}

/** One path segment, encoded (`group/project` -> `group%2Fproject`, as GitLab wants ids). */
export function segment(value: string | number): string {
  return encodeURIComponent(String(value));
}

/** For deletions: a hook that is already gone (404) counts as deleted; anything else rethrows. */
export function ignoreNotFound(err: unknown): void {
  if (err instanceof ImpulseError && err.details?.status === 404) return;
  throw err;
}
