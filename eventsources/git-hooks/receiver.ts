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
import { createSourceRoute } from '../http/source-route.ts';
import type { ResolvedWebhookContext } from '../http/webhook-context.ts';
import type { EventSourceDriver, SourceContext, SourceInit } from '../types.ts';
import { failure } from '../webhook/index.ts';
import { hookLeaseKey, manageHooks } from './manager.ts';
import { type HookProvider, hookKeeper } from './reconcile.ts';

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
  hooks?: { provider: HookProvider; deleteOnFinish: boolean; intervalMs?: number };
}

/** The verdict on a delivery whose event is not in `events` (`header` names where it is read). */
export function notInEvents(event: string, header: string, delivery: string | undefined): Verdict {
  const reason = event ? `event "${event}" is not in events` : `no ${header} header`;
  return { kind: 'skip', reason, ...(delivery ? { delivery } : {}) };
}

/** The verdict that publishes one payload, stored under the delivery id when there is one. */
export function publishOne(payload: unknown, delivery: string | undefined): Verdict {
  return { kind: 'publish', events: [{ payload, ...(delivery ? { id: delivery } : {}) }] };
}

/**
 * The driver shared by the Git providers: a route on the port's shared server that answers each
 * delivery after verifying it (401 without a signature or token, 403 with a wrong one), 200 only
 * once its events are stored (or once it is known to be skipped), 400/413/503 as the plain webhook
 * does. Every refusal is logged with its reason and counted; no secret is ever logged. With
 * `hooks`, the provider's hooks are managed under the EventSource's lease meanwhile.
 */
export function createGitReceiver(options: GitReceiverOptions): EventSourceDriver {
  const { init, context, hooks } = options;
  const bearer = context.authToken ? bearerTokenCheck(context.authToken) : undefined;
  const refused = (ctx: SourceContext | undefined, status: number, reason: string, delivery?: string) => {
    ctx?.rejected();
    (ctx?.logger ?? init.logger).warn(
      { status, reason, ...(delivery ? { delivery } : {}) },
      'delivery refused',
    );
  };
  const refuse = (
    ctx: SourceContext | undefined,
    status: number,
    reason: string,
    delivery?: string,
  ): WebhookResponse => {
    refused(ctx, status, reason, delivery);
    return errorResponse(status, reason);
  };

  const authorize =
    bearer || options.authorize
      ? (head: WebhookRequestHead, ctx: SourceContext | undefined) => {
          const challenge = bearer?.(head);
          if (challenge) {
            refused(ctx, challenge.status, 'bearer token (authSecret) missing or wrong');
            return challenge;
          }
          const refusal = options.authorize?.(head);
          return refusal ? refuse(ctx, refusal.status, refusal.reason) : undefined;
        }
      : undefined;

  async function handle(ctx: SourceContext, request: WebhookRequest): Promise<WebhookResponse> {
    let verdict: Verdict;
    try {
      verdict = await options.accept(request, ctx.logger);
    } catch (err) {
      if (!isImpulseError(err, 'INVALID_INPUT')) throw err;
      return refuse(ctx, 400, err.message);
    }
    if (verdict.kind === 'refuse') return refuse(ctx, verdict.status, verdict.reason, verdict.delivery);
    if (verdict.kind === 'skip') {
      if (ctx.logger.isLevelEnabled('debug'))
        ctx.logger.debug({ reason: verdict.reason, delivery: verdict.delivery }, 'delivery not published');
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
        const result = await ctx.dispatch(event.payload, event.id ? { id: event.id } : {});
        ids.push(result.id);
        published ||= result.published;
      }
      const body: Record<string, unknown> = ids.length === 1 ? { id: ids[0] } : { ids };
      if (!published) body.published = false;
      return { status: 200, body };
    } catch (err) {
      return failure(err, context.maxPayloadSize, ctx.logger);
    }
  }

  return createSourceRoute({
    init,
    context,
    ...(authorize ? { authorize } : {}),
    handle,
    listening: `${options.type} webhook listening`,
    ...(hooks
      ? {
          alongside: (ctx: SourceContext) =>
            manageHooks({
              ctx,
              leases: init.services.leases,
              key: hookLeaseKey(init.namespace, init.eventSourceName, init.eventName),
              keeper: hookKeeper(hooks.provider, init.logger),
              deleteOnFinish: hooks.deleteOnFinish,
              ...(hooks.intervalMs ? { intervalMs: hooks.intervalMs } : {}),
            }),
        }
      : {}),
  });
}
