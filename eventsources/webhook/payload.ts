import { ImpulseError } from '../../core/errors.ts';
import { type HeaderMap, headerMap } from '../http/headers.ts';
import type { WebhookRequest } from '../http/route.ts';

/** The payload of a webhook event, as Argo Events builds it. */
export interface WebhookPayload {
  /** Request headers by Go-canonical name, every value received. */
  header: HeaderMap;
  /** The query (GET), the form (form-urlencoded), otherwise the JSON body. */
  body: unknown;
  /** The event's `metadata`; absent when it has none (Argo's `omitempty`). */
  metadata?: Record<string, string>;
}

/** What an `Authorization` header becomes in a payload: the value Argo Events writes there. */
export const MASKED_AUTHORIZATION = '*** Masked Auth Secret ***';

const FORM = 'application/x-www-form-urlencoded';

/**
 * Maps a request to the payload Argo Events would publish. GET and HEAD: the query as
 * `{name: [values]}`. A form-urlencoded body: the form, the same way. Anything else: the body parsed
 * as JSON. The `Authorization` header, when present, is replaced by `MASKED_AUTHORIZATION`.
 *
 * Throws `INVALID_INPUT` for an empty body or one that is not JSON, saying where parsing failed.
 * Where Argo Events differs: it answers 400 to every method but GET and POST (here PUT, PATCH and
 * DELETE read their body as POST does), and it reads a form only when the content type is exactly
 * `application/x-www-form-urlencoded` (here parameters such as `; charset=utf-8` are allowed).
 */
export function webhookPayload(request: WebhookRequest, metadata?: Record<string, string>): WebhookPayload {
  const header = headerMap(request.rawHeaders);
  if (header.Authorization) header.Authorization = [MASKED_AUTHORIZATION];
  const payload: WebhookPayload = { header, body: webhookBody(request) };
  if (metadata) payload.metadata = metadata;
  return payload;
}

/** The `body` of a webhook payload; see `webhookPayload`. */
export function webhookBody(request: WebhookRequest): unknown {
  if (request.method === 'GET' || request.method === 'HEAD')
    return valuesOf(new URLSearchParams(request.query));
  if (isForm(request.headers['content-type'])) {
    return valuesOf(new URLSearchParams(request.body.toString('utf8')));
  }
  const text = request.body.toString('utf8');
  // A regular expression test, not trim(): no copy of a large body just to see it is not blank.
  if (!/\S/.test(text)) {
    throw new ImpulseError(
      'INVALID_INPUT',
      `request body is empty; a ${request.method} to this webhook must carry JSON or a form (application/x-www-form-urlencoded)`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ImpulseError('INVALID_INPUT', `request body is not valid JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function isForm(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const media = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return media === FORM;
}

/** Go's `url.Values`: every name with all its values, in order. No prototype, so any name is a key. */
function valuesOf(params: URLSearchParams): Record<string, string[]> {
  const values: Record<string, string[]> = Object.create(null);
  for (const [name, value] of params) {
    const list = values[name];
    if (list) list.push(value);
    else values[name] = [value];
  }
  return values;
}
