/** EventSources: the runner, the dispatch adaptor shared by every source, and the source types. */
export {
  busLeases,
  type HeldLease,
  type LeaseService,
  runUnderLease,
  sourceLeaseKey,
  type UnderLeaseOptions,
} from './active-passive.ts';
export { type AmqpPayload, createAmqpSource } from './amqp/index.ts';
export {
  type CalendarOptions,
  type CalendarPayload,
  type Clock,
  createCalendarSource,
} from './calendar/index.ts';
export { createDispatcher, type Dispatch, type DispatcherOptions } from './dispatch.ts';
export { createFileSource, type FilePayload } from './file/index.ts';
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
export { createMqttSource, type MqttPayload } from './mqtt/index.ts';
export { createNatsSource, type NatsPayload } from './nats/index.ts';
export { createRedisSource, type RedisPayload } from './redis/index.ts';
export { createRedisStreamSource, type RedisStreamPayload } from './redis-stream/index.ts';
export { loadSources, type SourceRegistry, sourceLoaders } from './registry.ts';
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
