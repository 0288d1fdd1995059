import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { ImpulseError } from '../../core/errors.ts';
import type { SecretRef, SecretResolver } from '../../core/secrets.ts';
import { createSecretComparer } from './bearer-auth.ts';
import { secret as readSecret } from './webhook-context.ts';

/** HMAC digests a provider may sign with. */
export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** How a signature is written in its header. */
export type SignatureEncoding = 'hex' | 'base64';

/** Where a shared-secret HMAC signature travels and how it is written. */
export interface SignatureScheme {
  /** Header carrying the signature (any case). */
  header: string;
  algorithm: HmacAlgorithm;
  /** Text before the digest, e.g. `sha256=`; compared as it is, before the digest. @default "" */
  prefix?: string;
  /** @default hex */
  encoding?: SignatureEncoding;
}

/** Why a request was refused: 401 nothing to check, 403 a check that failed. */
export interface Refusal {
  status: 401 | 403;
  /** For the answer and the log; never holds the secret or the expected digest. */
  reason: string;
}

const DIGEST_BYTES: Record<HmacAlgorithm, number> = { sha1: 20, sha256: 32, sha512: 64 };

/**
 * Verifies `<prefix><digest>` signatures of raw request bodies with a shared secret. The digest is
 * decoded and compared with `timingSafeEqual`: equal-length buffers, compared in time that does not
 * depend on where they differ. A malformed value (wrong prefix, length or alphabet) is refused the
 * same way as a wrong one; its length is public (it is the algorithm's), so checking it first
 * leaks nothing.
 */
export function hmacVerifier(
  secret: string,
  scheme: SignatureScheme,
): (body: Buffer, given: string) => boolean {
  const { algorithm } = scheme;
  const prefix = scheme.prefix ?? '';
  const encoding = scheme.encoding ?? 'hex';
  const size = DIGEST_BYTES[algorithm];
  const pattern = encoding === 'hex' ? /^[0-9a-fA-F]+$/ : /^[A-Za-z0-9+/]+={0,2}$/;
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return (body, given) => {
    if (!given.startsWith(prefix)) return false;
    const text = given.slice(prefix.length).trim();
    if (!pattern.test(text)) return false;
    const decoded = Buffer.from(text, encoding);
    if (decoded.length !== size) return false;
    const expected = createHmac(algorithm, key).update(body).digest();
    return timingSafeEqual(decoded, expected);
  };
}

/**
 * The check a signed webhook runs: `present` before the body is read (a request without the header
 * is refused 401 at once, so unauthenticated senders never make the server read their bodies), and
 * `verify` over the raw body (403 when the signature does not match).
 */
export interface SignatureCheck {
  readonly header: string;
  present(headers: Record<string, string | string[] | undefined>): Refusal | undefined;
  verify(body: Buffer, headers: Record<string, string | string[] | undefined>): Refusal | undefined;
}

/** A `SignatureCheck` for one scheme; see `hmacVerifier`. */
export function signatureCheck(secret: string, scheme: SignatureScheme): SignatureCheck {
  const header = scheme.header.toLowerCase();
  const verifies = hmacVerifier(secret, scheme);
  const headerOf = (headers: Record<string, string | string[] | undefined>) => {
    const value = headers[header];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    header: scheme.header,
    present: (headers) =>
      headerOf(headers) ? undefined : { status: 401, reason: `missing signature header ${scheme.header}` },
    verify(body, headers) {
      const value = headerOf(headers);
      if (!value) return { status: 401, reason: `missing signature header ${scheme.header}` };
      if (!verifies(body, value))
        return { status: 403, reason: `signature in ${scheme.header} does not match the body` };
      return undefined;
    },
  };
}

/**
 * Reads a shared secret (a webhook secret, a token) once, at startup. One trailing newline is
 * dropped, as Argo Events drops it; an empty secret is refused, since it would let anyone sign.
 * Errors name `field` and the reference, never the value.
 */
export function readSharedSecret(secrets: SecretResolver, ref: SecretRef, field: string): string {
  const value = readSecret(secrets, ref, field).replace(/\n$/, '');
  if (value.length === 0) {
    throw new ImpulseError(
      'INVALID_INPUT',
      `${field}: secret ${ref.name}/${ref.key} is empty; an empty secret would let any request in`,
    );
  }
  return value;
}

/** `readSharedSecret` for an optional field: undefined when the manifest does not set `ref`. */
export function readOptionalSecret(
  secrets: SecretResolver,
  ref: SecretRef | undefined,
  field: string,
): string | undefined {
  return ref ? readSharedSecret(secrets, ref, field) : undefined;
}

/** A webhook's `hmac` block (Impulse). */
export interface HmacConfig {
  secret: SecretRef;
  header: string;
  algorithm?: HmacAlgorithm;
  prefix?: string;
  encoding?: SignatureEncoding;
}

/** Resolves a webhook's `hmac` block at startup (`path` is the block's: `spec.webhook.x.hmac`). */
export function webhookSignature(config: HmacConfig, path: string, secrets: SecretResolver): SignatureCheck {
  return signatureCheck(readSharedSecret(secrets, config.secret, `${path}.secret`), {
    header: config.header,
    algorithm: config.algorithm ?? 'sha256',
    ...(config.prefix !== undefined ? { prefix: config.prefix } : {}),
    ...(config.encoding ? { encoding: config.encoding } : {}),
  });
}

/**
 * A shared token sent as it is in a header (GitLab's `X-Gitlab-Token`): 401 when the header is
 * missing, 403 when it differs, compared in constant time. Needs no body, so it runs before the
 * body is read.
 */
export function tokenCheck(
  header: string,
  token: string,
): (headers: Record<string, string | string[] | undefined>) => Refusal | undefined {
  const name = header.toLowerCase();
  const matches = createSecretComparer(token);
  return (headers) => {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === '') return { status: 401, reason: `missing token header ${header}` };
    return matches(value) ? undefined : { status: 403, reason: `the token in ${header} is wrong` };
  };
}
