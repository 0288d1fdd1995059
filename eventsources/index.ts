/** EventSources: the runner, the dispatch adaptor shared by every source, and the source types. */
export { createDispatcher, type Dispatch, type DispatcherOptions } from './dispatch.ts';
export { createSecretComparer } from './http/bearer-auth.ts';
export { canonicalHeaderName, type HeaderMap, headerMap } from './http/headers.ts';
export {
  createWebhookServerPool,
  DEFAULT_MAX_PAYLOAD_SIZE,
  errorResponse,
  type TlsMaterial,
  type WebhookRequest,
  type WebhookRequestHead,
  type WebhookResponse,
  type WebhookRoute,
  type WebhookRouteOptions,
  type WebhookServerPool,
  type WebhookServerPoolOptions,
} from './http/server-pool.ts';
export { type ResolvedWebhookContext, resolveWebhookContext } from './http/webhook-context.ts';
export { type SourceRegistry, sources } from './registry.ts';
export {
  type EventSourceHandle,
  type EventSourceState,
  type RunEventSourceOptions,
  runEventSource,
} from './runner.ts';
export type {
  DispatchOptions,
  DispatchResult,
  EventSourceDriver,
  SourceConfig,
  SourceContext,
  SourceFactory,
  SourceInit,
  SourceServices,
} from './types.ts';
export {
  BUS_RETRY_AFTER_SECONDS,
  createWebhookSource,
  MASKED_AUTHORIZATION,
  type WebhookPayload,
  webhookBody,
  webhookPayload,
} from './webhook/index.ts';
