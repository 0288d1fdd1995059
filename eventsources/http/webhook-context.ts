import { ImpulseError, isImpulseError } from '../../core/errors.ts';
import type { SecretRef, SecretResolver } from '../../core/secrets.ts';
import type { WebhookContext } from '../../crds/index.ts';
import { DEFAULT_MAX_PAYLOAD_SIZE, type TlsMaterial } from './route.ts';

/** A webhook block (Argo's `WebhookContext`) with defaults applied and secrets read. */
export interface ResolvedWebhookContext {
  port: number;
  /** Starts with `/`. */
  endpoint: string;
  /** Upper-case. */
  method: string;
  maxPayloadSize: number;
  tls?: TlsMaterial;
  /** The bearer token from `authSecret`. */
  authToken?: string;
  /** Added to every event's payload. */
  metadata?: Record<string, string>;
}

/**
 * Resolves a webhook block once, at startup. Errors name the field (`spec.webhook.example.port:
 * ...`); a missing secret is `SECRET_MISSING` naming the reference, never a value.
 */
export function resolveWebhookContext(
  context: WebhookContext,
  path: string,
  secrets: SecretResolver,
): ResolvedWebhookContext {
  const invalid = (field: string, message: string) =>
    new ImpulseError('INVALID_MANIFEST', `${path}.${field}: ${message}`, {
      details: { path: `${path}.${field}` },
    });

  if (!/^\d+$/.test(context.port) || Number(context.port) > 65535) {
    throw invalid('port', `must be a string of digits between 0 and 65535, found "${context.port}"`);
  }
  if (!context.endpoint.startsWith('/')) {
    throw invalid('endpoint', `must start with "/", found "${context.endpoint}"`);
  }
  if (!/^[A-Za-z]+$/.test(context.method)) {
    throw invalid('method', `must be an HTTP method such as POST, found "${context.method}"`);
  }
  const maxPayloadSize = context.maxPayloadSize ?? DEFAULT_MAX_PAYLOAD_SIZE;
  if (!Number.isInteger(maxPayloadSize) || maxPayloadSize < 1) {
    throw invalid('maxPayloadSize', `must be a positive number of bytes, found ${maxPayloadSize}`);
  }

  const resolved: ResolvedWebhookContext = {
    port: Number(context.port),
    endpoint: context.endpoint,
    method: context.method.toUpperCase(),
    maxPayloadSize,
  };

  const { serverCertSecret, serverKeySecret } = context;
  if ((serverCertSecret === undefined) !== (serverKeySecret === undefined)) {
    const missing = serverCertSecret ? 'serverKeySecret' : 'serverCertSecret';
    throw invalid(missing, 'HTTPS needs both serverCertSecret and serverKeySecret');
  }
  if (serverCertSecret && serverKeySecret) {
    resolved.tls = {
      cert: secret(secrets, serverCertSecret, `${path}.serverCertSecret`),
      key: secret(secrets, serverKeySecret, `${path}.serverKeySecret`),
    };
  }
  if (context.authSecret) {
    // Editors leave a newline at the end of a file; Argo Events drops one, and so do we.
    const token = secret(secrets, context.authSecret, `${path}.authSecret`).replace(/\n$/, '');
    if (token.length === 0) {
      throw new ImpulseError(
        'INVALID_INPUT',
        `${path}.authSecret: secret ${context.authSecret.name}/${context.authSecret.key} is empty; an empty token would let any request in`,
      );
    }
    resolved.authToken = token;
  }
  if (context.metadata && Object.keys(context.metadata).length > 0) resolved.metadata = context.metadata;
  return resolved;
}

/** Reads a secret a webhook needs; a missing one is an error naming `field` and the reference. */
export function secret(secrets: SecretResolver, ref: SecretRef, field: string): string {
  try {
    // A webhook without its token or certificate must not start, `optional` or not.
    return secrets.get({ name: ref.name, key: ref.key });
  } catch (err) {
    if (isImpulseError(err)) {
      throw new ImpulseError(err.code, `${field}: ${err.message}`, { cause: err, details: err.details });
    }
    throw err;
  }
}
