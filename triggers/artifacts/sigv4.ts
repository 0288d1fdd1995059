import { createHash, createHmac } from 'node:crypto';

/** SHA-256 of an empty body, the payload hash of a GET. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface SigV4Request {
  method: string;
  /** The host header value (`host:port` when the port is not the scheme's default). */
  host: string;
  /** The request path as sent, already percent-encoded (`/bucket/some%20key.yaml`). */
  path: string;
  /** Query parameters; signed in canonical (sorted, encoded) form. */
  query?: Record<string, string>;
  /** Extra headers to sign and send (`range`, ...); names are lower-cased. */
  headers?: Record<string, string>;
  region: string;
  /** @default "s3" */
  service?: string;
  accessKey: string;
  secretKey: string;
  /** The signing time. @default now */
  date?: Date;
  /** Hex SHA-256 of the body. @default EMPTY_SHA256 */
  payloadHash?: string;
}

/**
 * Signs a request with AWS Signature Version 4 (header form), as S3 and S3-compatible stores
 * (MinIO, Ceph, R2) expect. Returns every header to send, `authorization` included. Written from
 * the published algorithm: canonical request, string to sign, key derived by HMAC chain.
 */
export function signV4(req: SigV4Request): Record<string, string> {
  const service = req.service ?? 's3';
  const amzDate = (req.date ?? new Date())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = req.payloadHash ?? EMPTY_SHA256;
  const headers: Record<string, string> = {
    host: req.host,
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
  };
  for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalQuery = Object.entries(req.query ?? {})
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [
    req.method,
    req.path,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${req.region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${req.secretKey}`, day);
  for (const part of [req.region, service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${req.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/** Percent-encodes as SigV4 requires: everything but `A-Za-z0-9-._~` (and `/` when `keepSlash`). */
export function uriEncode(value: string, keepSlash = false): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
