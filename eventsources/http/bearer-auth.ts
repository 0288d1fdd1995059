import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { errorResponse, type WebhookRequestHead, type WebhookResponse } from './route.ts';

/**
 * Compares two secrets in time that depends on neither their contents nor their lengths: both are
 * reduced to HMAC-SHA256 digests under a per-process random key, which always have equal length.
 */
export function createSecretComparer(expected: string): (given: string) => boolean {
  const key = randomBytes(32);
  const digest = (value: string) => createHmac('sha256', key).update(value).digest();
  const want = digest(expected);
  return (given) => timingSafeEqual(digest(given), want);
}

const BEARER = /^Bearer /i;
const challenge = { 'www-authenticate': 'Bearer' };

/**
 * An `authorize` check for `Authorization: Bearer <token>` (Argo's `authSecret`): undefined when the
 * token matches, else a 401 answer. The token is compared in constant time.
 */
export function bearerTokenCheck(token: string): (head: WebhookRequestHead) => WebhookResponse | undefined {
  const matches = createSecretComparer(token);
  return (head) => {
    const header = head.headers.authorization;
    if (header === undefined || !BEARER.test(header)) {
      return errorResponse(
        401,
        'missing bearer token: send "Authorization: Bearer <token>"',
        undefined,
        challenge,
      );
    }
    if (!matches(header.slice(7))) return errorResponse(401, 'invalid bearer token', undefined, challenge);
    return undefined;
  };
}
