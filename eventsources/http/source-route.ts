import type { EventSourceDriver, SourceContext, SourceInit } from '../types.ts';
import {
  errorResponse,
  type WebhookRequest,
  type WebhookRequestHead,
  type WebhookResponse,
} from './route.ts';
import type { ResolvedWebhookContext } from './webhook-context.ts';

export interface SourceRouteOptions {
  init: SourceInit<unknown>;
  context: ResolvedWebhookContext;
  /**
   * Runs before the body is read; returning a response refuses the request. `ctx` is the source's
   * context once it has started (undefined before).
   */
  authorize?(head: WebhookRequestHead, ctx: SourceContext | undefined): WebhookResponse | undefined;
  /** Answers one request; called only once the source has started. */
  handle(ctx: SourceContext, request: WebhookRequest): Promise<WebhookResponse>;
  /** The log line once the port listens: `webhook listening`. */
  listening: string;
  /** Work that runs while the route serves (a Git provider's hooks); awaited at shutdown. */
  alongside?(ctx: SourceContext): Promise<void>;
}

/**
 * The driver of a webhook-style source (the plain webhook, the Git providers): its route is
 * registered on the port's shared server when the driver is created, so a clash or a missing
 * secret fails startup before any port opens, and answers 503 until `start`. `start` waits for the
 * port, marks the source ready and serves until `ctx.signal` aborts; then it stops intake and
 * resolves once the requests in flight (which wait for the bus's ack) and `alongside` are done.
 */
export function createSourceRoute(options: SourceRouteOptions): EventSourceDriver {
  const { init, context, authorize } = options;
  let ctx: SourceContext | undefined;

  const route = init.services.webhooks.route({
    port: context.port,
    method: context.method,
    endpoint: context.endpoint,
    maxPayloadSize: context.maxPayloadSize,
    owner: init.path,
    ...(context.tls ? { tls: context.tls } : {}),
    ...(authorize ? { authorize: (head: WebhookRequestHead) => authorize(head, ctx) } : {}),
    onRefused: () => ctx?.rejected(),
    handler: (request) =>
      ctx
        ? options.handle(ctx, request)
        : Promise.resolve(
            errorResponse(503, 'this webhook is not started yet', undefined, { 'retry-after': '1' }),
          ),
  });

  return {
    async start(sourceContext) {
      ctx = sourceContext;
      const { signal } = sourceContext;
      const stopped = new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      let alongside: Promise<void> | undefined;
      try {
        await Promise.race([route.listening, stopped]);
        if (!signal.aborted) {
          sourceContext.ready();
          sourceContext.logger.info(
            { port: route.port, method: context.method, endpoint: context.endpoint },
            options.listening,
          );
          alongside = options.alongside?.(sourceContext);
          await stopped;
        }
      } finally {
        // Stop intake and let the requests in flight get their answer; the work alongside ends meanwhile.
        await Promise.all([route.close(), alongside]);
      }
    },
  };
}
