import { isImpulseError, toImpulseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { bearerTokenCheck } from '../http/bearer-auth.ts';
import { errorResponse, type WebhookRequest, type WebhookResponse } from '../http/route.ts';
import { type Refusal, webhookSignature } from '../http/signature.ts';
import { createSourceRoute } from '../http/source-route.ts';
import { type ResolvedWebhookContext, resolveWebhookContext } from '../http/webhook-context.ts';
import type { EventSourceDriver, SourceConfig, SourceContext, SourceInit } from '../types.ts';
import { webhookPayload } from './payload.ts';

export { MASKED_AUTHORIZATION, type WebhookPayload, webhookBody, webhookPayload } from './payload.ts';

/** How long a sender should wait after a 503 because the bus is away. */
export const BUS_RETRY_AFTER_SECONDS = '5';

/**
 * The `webhook` source: one HTTP route (on the port's shared server) whose requests become events
 * with Argo Events' payload `{header, body, metadata}`. A request is answered 200 `{"id": ...}` only
 * once the bus has stored the event (or 200 `{"id": ..., "published": false}` when the event's
 * `filter` dropped it); 503 with `Retry-After` when the bus cannot take it; 400 for a
 * body that is not JSON; 401 for a missing or wrong bearer token (`authSecret`) or, with `hmac`, a
 * missing signature, and 403 for a signature that does not match the body; 413 for a body over
 * `maxPayloadSize` or an event over the bus's `max_payload`. Requests are handled concurrently.
 *
 * The route is registered when the source is created, so a clash or a missing secret fails startup
 * before any port opens.
 */
export function createWebhookSource(init: SourceInit<SourceConfig<'webhook'>>): EventSourceDriver {
  const context = resolveWebhookContext(init.config, init.path, init.secrets);
  const checkToken = context.authToken ? bearerTokenCheck(context.authToken) : undefined;
  const signature = init.config.hmac
    ? webhookSignature(init.config.hmac, `${init.path}.hmac`, init.secrets)
    : undefined;
  const verify = signature && ((r: WebhookRequest) => signature.verify(r.body, r.headers));
  const refused = (ctx: SourceContext | undefined, status: number, reason: string) => {
    ctx?.rejected();
    (ctx?.logger ?? init.logger).warn({ status, reason }, 'request refused');
  };

  return createSourceRoute({
    init: init as SourceInit<unknown>,
    context,
    ...(checkToken || signature
      ? {
          authorize: (head, ctx) => {
            const refusal = checkToken?.(head);
            if (refusal) {
              ctx?.rejected();
              (ctx?.logger ?? init.logger).warn(
                { status: 401 },
                'request refused: bearer token missing or wrong',
              );
              return refusal;
            }
            const unsigned = signature?.present(head.headers);
            if (unsigned) refused(ctx, unsigned.status, unsigned.reason);
            return unsigned && errorResponse(unsigned.status, unsigned.reason);
          },
        }
      : {}),
    handle: (ctx, request) => answer(ctx, context, request, verify, refused),
    listening: 'webhook listening',
  });
}

async function answer(
  ctx: SourceContext,
  context: ResolvedWebhookContext,
  request: WebhookRequest,
  verify: ((request: WebhookRequest) => Refusal | undefined) | undefined,
  refused: (ctx: SourceContext, status: number, reason: string) => void,
): Promise<WebhookResponse> {
  const wrong = verify?.(request);
  if (wrong) {
    refused(ctx, wrong.status, wrong.reason);
    return errorResponse(wrong.status, wrong.reason);
  }
  let payload: unknown;
  try {
    payload = webhookPayload(request, context.metadata);
  } catch (err) {
    if (!isImpulseError(err, 'INVALID_INPUT')) throw err;
    ctx.rejected();
    ctx.logger.warn({ status: 400, err: err.message }, 'request refused');
    return errorResponse(400, err.message);
  }
  try {
    const { id, published } = await ctx.dispatch(payload);
    // An event the source filter dropped is answered 200 too, as Argo Events does: resending it
    // would not change the verdict.
    return { status: 200, body: published ? { id } : { id, published: false } };
  } catch (err) {
    return failure(err, context.maxPayloadSize, ctx.logger);
  }
}

/**
 * The answer to a dispatch that failed (503, 413, 400 or 500), shared by every webhook-style source;
 * the dispatcher has logged and counted it already.
 */
export function failure(err: unknown, maxPayloadSize: number, logger: Logger): WebhookResponse {
  const error = toImpulseError(err);
  switch (error.code) {
    case 'BUS_UNAVAILABLE':
    case 'CLOSED':
      return errorResponse(503, 'the event bus cannot take the event right now; retry later', undefined, {
        'retry-after': BUS_RETRY_AFTER_SECONDS,
      });
    case 'PAYLOAD_TOO_LARGE': {
      const busMaxPayload = error.details?.maxPayload;
      const size = error.details?.size;
      return errorResponse(
        413,
        `the event would be ${size} bytes, more than the event bus's max_payload of ${busMaxPayload} bytes (this webhook's maxPayloadSize is ${maxPayloadSize} bytes; the smaller limit applies)`,
        { maxPayloadSize, busMaxPayload, eventSize: size },
      );
    }
    case 'INVALID_INPUT':
      return errorResponse(400, error.message);
    default:
      logger.error({ err: error, code: error.code }, 'unexpected failure while storing a webhook event');
      return errorResponse(500, 'internal error while storing the event');
  }
}
