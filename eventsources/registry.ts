import type { SourceType } from '../crds/index.ts';
import { createAmqpSource } from './amqp/index.ts';
import { createCalendarSource } from './calendar/index.ts';
import { createFileSource } from './file/index.ts';
import { createMqttSource } from './mqtt/index.ts';
import { createNatsSource } from './nats/index.ts';
import { createRedisSource } from './redis/index.ts';
import { createRedisStreamSource } from './redis-stream/index.ts';
import type { SourceConfig, SourceFactory } from './types.ts';
import { createWebhookSource } from './webhook/index.ts';

/** The factory of each source type, typed by that type's configuration. */
export type SourceRegistry = { [T in SourceType]?: SourceFactory<SourceConfig<T>> };

/**
 * The source types this version of Impulse runs. Adding one is a folder under `eventsources/` and
 * a line here; an EventSource that uses a type without a factory fails at startup, saying so.
 */
export const sources: SourceRegistry = {
  webhook: createWebhookSource,
  calendar: createCalendarSource,
  amqp: createAmqpSource,
  redis: createRedisSource,
  redisStream: createRedisStreamSource,
  mqtt: createMqttSource,
  nats: createNatsSource,
  file: createFileSource,
};
