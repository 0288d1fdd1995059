import { ImpulseError } from '../../core/errors.ts';
import { type HeaderMap, headerMap } from '../http/headers.ts';
import type { WebhookRequest } from '../http/route.ts';
import { MASKED_AUTHORIZATION } from '../webhook/payload.ts';

/** The payload of a Git provider's event, as Argo Events builds it (`headers`, plural). */
export interface GitPayload {
  /** Request headers by Go-canonical name, every value received; secrets masked. */
  headers: HeaderMap;
  /** The delivery's JSON body. */
  body: unknown;
  /** The event's `metadata`; absent when it has none. */
  metadata?: Record<string, string>;
}

/** A payload with the event's `metadata` only when it has entries (Argo's `omitempty`). */
export function gitPayload(
  headers: HeaderMap,
  body: unknown,
  metadata: Record<string, string> | undefined,
): GitPayload {
  const payload: GitPayload = { headers, body };
  if (metadata && Object.keys(metadata).length > 0) payload.metadata = metadata;
  return payload;
}

/** What a header that carries a configured token (`X-Gitlab-Token`) becomes in a payload. */
export const MASKED_TOKEN = '*** Masked Secret Token ***';

/**
 * The payload's header map: `Authorization` and the canonical names in `masked` (headers that
 * carry a configured secret) are replaced, so a secret never reaches the bus.
 */
export function gitHeaders(request: WebhookRequest, masked: readonly string[] = []): HeaderMap {
  const headers = headerMap(request.rawHeaders);
  if (headers.Authorization) headers.Authorization = [MASKED_AUTHORIZATION];
  for (const name of masked) if (headers[name]) headers[name] = [MASKED_TOKEN];
  return headers;
}

/** The first value of a header (Go's `Header.Get`): "" when absent. */
export function headerValue(request: WebhookRequest, name: string): string {
  const value = request.headers[name.toLowerCase()];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/**
 * The JSON a delivery carries: the body itself, or with `form` (GitHub's and Gitea's
 * `contentType: form`) the `payload` field of a form-urlencoded body. Throws `INVALID_INPUT`
 * saying what is wrong (answered 400).
 */
export function deliveryJson(request: WebhookRequest, options: { form?: boolean } = {}): unknown {
  let text = request.body.toString('utf8');
  if (options.form && FORM.test(request.headers['content-type'] ?? '')) {
    const field = new URLSearchParams(text).get('payload');
    if (field === null) {
      throw new ImpulseError('INVALID_INPUT', 'the form-encoded delivery has no "payload" field');
    }
    text = field;
  }
  if (!/\S/.test(text)) throw new ImpulseError('INVALID_INPUT', 'the delivery has an empty body');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ImpulseError('INVALID_INPUT', `the delivery is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Whether `name` is one of `events`; an empty list or `*` takes every event. */
export function wanted(events: readonly string[] | undefined, ...names: string[]): boolean {
  if (!events || events.length === 0 || events.includes('*')) return true;
  return names.some((n) => n !== '' && events.includes(n));
}
