import { isImpulseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { bearerTokenCheck } from '../http/bearer-auth.ts';
import {
  errorResponse,
  type WebhookRequest,
  type WebhookRequestHead,
  type WebhookResponse,
} from '../http/route.ts';
import type { Refusal } from '../http/signature.ts';
import type { ResolvedWebhookContext } from '../http/webhook-context.ts';
import type { EventSourceDriver, SourceContext, SourceInit } from '../types.ts';
import { failure } from '../webhook/index.ts';
import { hookLeaseKey, manageHooks } from './manager.ts';
import type { HookKeeper } from './reconcile.ts';

/** What a provider makes of one delivery. */
export type Verdict =
  /** Refused (401/403: authentication; 400: unusable), logged with the reason, nothing published. */
  | { kind: 'refuse'; status: 400 | 401 | 403; reason: string; delivery?: string }
  /** Answered 200 and not published: an event type not in `events`, a ping. */
  | { kind: 'skip'; reason: string; delivery?: string }
  /** Published, each with its delivery id (or none, for a UUIDv7), then answered 200. */
  | { kind: 'publish'; events: Array<{ payload: unknown; id?: string }> };

export interface GitReceiverOptions {
  init: SourceInit<unknown>;
  context: ResolvedWebhookContext;
  /** Source type, for logs: `github`. */
  type: string;
  /** Checks that need no body (a token header, a signature header's presence). */
  authorize?(head: WebhookRequestHead): Refusal | undefined;
  /** Verifies and maps one delivery. Throwing `INVALID_INPUT` answers 400. */
  accept(request: WebhookRequest, logger: Logger): Verdict | Promise<Verdict>;
  /** Hook management, when the manifest asks for it (credentials and `webhook.url`). */
  hooks?: { keeper: HookKeeper; deleteOnFinish: boolean; intervalMs?: number };
}

/**
 * The driver shared by the Git providers: a route on the port's shared server that answers each
 * delivery after verifying it (401 without a signature or token, 403 with a wrong one), 200 only
 * once its events are stored (or once it is known to be skipped), 400/413/503 as the plain webhook
 * does. Every refusal is logged with its reason and counted; no secret is ever logged. With
 * `hooks`, the provider's hooks are managed under the EventSource's lease meanwhile.
 */
export function createGitReceiver(options: GitReceiverOptions): EventSourceDriver {
  const { init, context } = options;
  let ctx: SourceContext | undefined;
  const logger = () => ctx?.logger ?? init.logger;
  const bearer = context.authToken ? bearerTokenCheck(context.authToken) : undefined;
  const refused = (status: number, reason: string, delivery?: string) => {
    ctx?.rejected();
    logger().warn({ status, reason, ...(delivery ? { delivery } : {}) }, 'delivery refused');
  };
  const refuse = (status: number, reason: string, delivery?: string): WebhookResponse => {
    refused(status, reason, delivery);
    return errorResponse(status, reason);
  };

  const authorize =
    bearer || options.authorize
      ? (head: WebhookRequestHead) => {
          const challenge = bearer?.(head);
          if (challenge) {
            refused(challenge.status, 'bearer token (authSecret) missing or wrong');
            return challenge;
          }
          const refusal = options.authorize?.(head);
          return refusal ? refuse(refusal.status, refusal.reason) : undefined;
        }
      : undefined;

  const route = init.services.webhooks.route({
    port: context.port,
    method: context.method,
    endpoint: context.endpoint,
    maxPayloadSize: context.maxPayloadSize,
    owner: init.path,
    ...(context.tls ? { tls: context.tls } : {}),
    ...(authorize ? { authorize } : {}),
    onRefused: () => ctx?.rejected(),
    handler: (request) =>
      ctx
        ? handle(ctx, request)
        : Promise.resolve(
            errorResponse(503, 'this webhook is not started yet', undefined, { 'retry-after': '1' }),
          ),
  });

  async function handle(sourceCtx: SourceContext, request: WebhookRequest): Promise<WebhookResponse> {
    let verdict: Verdict;
    try {
      verdict = await options.accept(request, sourceCtx.logger);
    } catch (err) {
      if (!isImpulseError(err, 'INVALID_INPUT')) throw err;
      return refuse(400, err.message);
    }
    if (verdict.kind === 'refuse') return refuse(verdict.status, verdict.reason, verdict.delivery);
    if (verdict.kind === 'skip') {
      if (sourceCtx.logger.isLevelEnabled('debug'))
        sourceCtx.logger.debug(
          { reason: verdict.reason, delivery: verdict.delivery },
          'delivery not published',
        );
      return {
        status: 200,
        body: {
          ...(verdict.delivery ? { id: verdict.delivery } : {}),
          published: false,
          reason: verdict.reason,
        },
      };
    }
    try {
      const ids: string[] = [];
      let published = false;
      // In order, so a provider's changes reach the bus as it listed them.
      for (const event of verdict.events) {
        const result = await sourceCtx.dispatch(event.payload, event.id ? { id: event.id } : {});
        ids.push(result.id);
        published ||= result.published;
      }
      const body: Record<string, unknown> = ids.length === 1 ? { id: ids[0] } : { ids };
      if (!published) body.published = false;
      return { status: 200, body };
    } catch (err) {
      return failure(err, context.maxPayloadSize, sourceCtx.logger);
    }
  }

  return {
    async start(sourceContext) {
      ctx = sourceContext;
      const { signal } = sourceContext;
      const stopped = new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
      let managing: Promise<void> | undefined;
      try {
        await Promise.race([route.listening, stopped]);
        if (!signal.aborted) {
          sourceContext.ready();
          sourceContext.logger.info(
            { port: route.port, method: context.method, endpoint: context.endpoint },
            `${options.type} webhook listening`,
          );
          if (options.hooks) {
            managing = manageHooks({
              ctx: sourceContext,
              leases: init.services.leases,
              key: hookLeaseKey(init.namespace, init.eventSourceName, init.eventName),
              keeper: options.hooks.keeper,
              deleteOnFinish: options.hooks.deleteOnFinish,
              ...(options.hooks.intervalMs ? { intervalMs: options.hooks.intervalMs } : {}),
            });
          }
          await stopped;
        }
      } finally {
        // Stop intake and let the deliveries in flight get their answer; hooks go meanwhile.
        await Promise.all([route.close(), managing]);
      }
    },
  };
}
