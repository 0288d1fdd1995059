import { type Static, Type } from '@sinclair/typebox';
import { SecretKeySelector, WebhookContext } from '../common.ts';
import { Enum, Obj, Opt } from '../schema-kit.ts';
import { EventSourceFilter } from './shared.ts';

/** Digests an `hmac` block can verify. */
export const HMAC_ALGORITHMS = ['sha1', 'sha256', 'sha512'] as const;

/**
 * Impulse: a shared-secret HMAC signature over the raw body, for providers that sign their webhooks
 * (`X-Hub-Signature-256: sha256=<hex>` and the like).
 */
export const WebhookHmac = Obj(
  {
    secret: SecretKeySelector,
    header: Type.String({
      minLength: 1,
      description: 'Header carrying the signature, e.g. X-Hub-Signature-256.',
    }),
    algorithm: Opt(Enum(HMAC_ALGORITHMS, 'HMAC digest; sha256 when unset.')),
    prefix: Opt(
      Type.String({ description: 'Text before the digest in the header, e.g. "sha256="; none when unset.' }),
    ),
    encoding: Opt(Enum(['hex', 'base64'] as const, 'How the digest is written; hex when unset.')),
  },
  'Impulse: verify an HMAC signature of the body; a missing signature is answered 401, a wrong one 403.',
);
export type WebhookHmac = Static<typeof WebhookHmac>;

/** One `spec.webhook.<event>` entry: an HTTP endpoint whose requests become events. */
export const WebhookEventSource = Obj(
  {
    ...WebhookContext.properties,
    filter: Opt(EventSourceFilter),
    hmac: Opt(WebhookHmac),
  },
  'An HTTP endpoint; each accepted request becomes an event.',
);
export type WebhookEventSource = Static<typeof WebhookEventSource>;
