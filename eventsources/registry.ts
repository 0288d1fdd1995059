import type { SourceType } from '../crds/index.ts';
import type { SourceConfig, SourceFactory } from './types.ts';

/** The factory of each source type, typed by that type's configuration. */
export type SourceRegistry = { [T in SourceType]?: SourceFactory<SourceConfig<T>> };

type SourceLoaders = { [T in SourceType]?: () => Promise<SourceFactory<SourceConfig<T>>> };

/**
 * The source types this version of Impulse runs. Adding one is a folder under `eventsources/` and
 * a line here; an EventSource that uses a type without a factory fails at startup, saying so.
 * Each is loaded when an EventSource uses it: a webhook process never loads the AMQP, MQTT and
 * Redis clients (each costs resident memory).
 */
export const sourceLoaders: SourceLoaders = {
  webhook: async () => (await import('./webhook/index.ts')).createWebhookSource,
  github: async () => (await import('./github/index.ts')).createGithubSource,
  gitlab: async () => (await import('./gitlab/index.ts')).createGitlabSource,
  bitbucket: async () => (await import('./bitbucket/index.ts')).createBitbucketSource,
  bitbucketserver: async () => (await import('./bitbucketserver/index.ts')).createBitbucketServerSource,
  gitea: async () => (await import('./gitea/index.ts')).createGiteaSource,
  calendar: async () => (await import('./calendar/index.ts')).createCalendarSource,
  amqp: async () => (await import('./amqp/index.ts')).createAmqpSource,
  redis: async () => (await import('./redis/index.ts')).createRedisSource,
  redisStream: async () => (await import('./redis-stream/index.ts')).createRedisStreamSource,
  mqtt: async () => (await import('./mqtt/index.ts')).createMqttSource,
  nats: async () => (await import('./nats/index.ts')).createNatsSource,
  file: async () => (await import('./file/index.ts')).createFileSource,
  resource: async () => (await import('./resource/index.ts')).createResourceSource,
};

/** Loads the factories of `types` (those Impulse has; the others stay absent). */
export async function loadSources(types: Iterable<SourceType>): Promise<SourceRegistry> {
  const registry: Record<string, unknown> = {};
  for (const type of new Set(types)) {
    const load = sourceLoaders[type] as (() => Promise<unknown>) | undefined;
    if (load) registry[type] = await load();
  }
  return registry as SourceRegistry;
}
