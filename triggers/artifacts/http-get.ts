import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ImpulseError } from '../../core/errors.ts';
import { MAX_MANIFEST_BYTES } from './manifest.ts';

export interface HttpGetOptions {
  headers?: Record<string, string>;
  /** CA certificates (PEM) to trust besides the system's. */
  ca?: string;
  /** @default true */
  verifyCert?: boolean;
  signal?: AbortSignal;
  /** @default 30000 */
  timeoutMs?: number;
  /** Says what is fetched, in errors: `source.url`. */
  what: string;
}

/** Statuses worth asking again for: the server may answer differently later. */
const RETRYABLE = new Set([408, 425, 429]);

/**
 * GETs a manifest. Resolves with the body of a 200; any other status is an error, `TRANSIENT` for
 * 408, 425, 429 and 5xx and `PERMANENT` otherwise (a 404 or 403 stays so). A body larger than
 * MAX_MANIFEST_BYTES is refused, never cut short. `url` is shown without its query and user info.
 */
export function httpGet(url: URL, options: HttpGetOptions): Promise<string> {
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  const where = `${options.what} ${shown}`;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<string>((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'GET',
        headers: options.headers,
        signal: options.signal,
        ...(url.protocol === 'https:'
          ? { rejectUnauthorized: options.verifyCert ?? true, ...(options.ca ? { ca: options.ca } : {}) }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_MANIFEST_BYTES) {
            res.destroy();
            reject(
              new ImpulseError(
                'PERMANENT',
                `${where}: the manifest is larger than ${MAX_MANIFEST_BYTES} bytes`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          if (status === 200) return resolve(text);
          const code = status >= 500 || RETRYABLE.has(status) ? 'TRANSIENT' : 'PERMANENT';
          reject(
            new ImpulseError(code, `${where} answered ${status}: ${text.slice(0, 300)}`, {
              details: { status },
            }),
          );
        });
        res.on('error', (err) => reject(transient(where, err)));
      },
    );
    req.setTimeout(options.timeoutMs ?? 30_000, () =>
      req.destroy(new Error(`no answer within ${(options.timeoutMs ?? 30_000) / 1000} s`)),
    );
    req.on('error', (err) => reject(transient(where, err)));
    req.end();
  });
}

/** TLS verification failures: retrying cannot fix them, the configuration must change. */
const CERTIFICATE_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/;

function transient(where: string, err: Error): ImpulseError {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && CERTIFICATE_ERRORS.test(code)) {
    return new ImpulseError(
      'PERMANENT',
      `${where}: the server's TLS certificate is not trusted (${err.message}); give its CA, or set verifyCert: false`,
      { cause: err },
    );
  }
  return new ImpulseError('TRANSIENT', `${where}: ${err.message}`, { cause: err });
}
