import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { ManifestMetadata, ObjectMetadata, PodTemplate, Status } from './common.ts';
import { Embedded, Obj, Opt, StringMap } from './schema-kit.ts';
import { AmqpEventSource } from './sources/amqp.ts';
import { BitbucketEventSource } from './sources/bitbucket.ts';
import { BitbucketServerEventSource } from './sources/bitbucketserver.ts';
import { CalendarEventSource } from './sources/calendar.ts';
import { FileEventSource } from './sources/file.ts';
import { GiteaEventSource } from './sources/gitea.ts';
import { GithubEventSource } from './sources/github.ts';
import { GitlabEventSource } from './sources/gitlab.ts';
import { MqttEventSource } from './sources/mqtt.ts';
import { NatsEventSource } from './sources/nats.ts';
import { RedisEventSource } from './sources/redis.ts';
import { RedisStreamEventSource } from './sources/redis-stream.ts';
import { ResourceEventSource } from './sources/resource.ts';
import { WebhookEventSource } from './sources/webhook.ts';

/** The schema of one event's config, by the source map key it sits under in `spec`. */
export const SOURCE_SCHEMAS = {
  webhook: WebhookEventSource,
  github: GithubEventSource,
  gitlab: GitlabEventSource,
  bitbucket: BitbucketEventSource,
  bitbucketserver: BitbucketServerEventSource,
  gitea: GiteaEventSource,
  calendar: CalendarEventSource,
  nats: NatsEventSource,
  amqp: AmqpEventSource,
  mqtt: MqttEventSource,
  redis: RedisEventSource,
  redisStream: RedisStreamEventSource,
  file: FileEventSource,
  resource: ResourceEventSource,
} as const satisfies Record<string, TSchema>;

/** Source types Impulse runs: the keys of `spec` that hold `{<eventName>: <config>}` maps. */
export const SOURCE_TYPES = Object.keys(SOURCE_SCHEMAS) as readonly SourceType[];
export type SourceType = keyof typeof SOURCE_SCHEMAS;

/**
 * The other source map keys of Argo Events' EventSourceSpec. A manifest that uses one is rejected
 * with a message that names the type as unsupported (rather than as an unknown field).
 */
export const UNSUPPORTED_SOURCE_TYPES = [
  'minio',
  'kafka',
  'sns',
  'sqs',
  'pubSub',
  'hdfs',
  'slack',
  'storageGrid',
  'azureEventsHub',
  'stripe',
  'emitter',
  'nsq',
  'pulsar',
  'generic',
  'azureServiceBus',
  'azureQueueStorage',
  'sftp',
  'gerrit',
  'mns',
] as const;
export type UnsupportedSourceType = (typeof UNSUPPORTED_SOURCE_TYPES)[number];

/** Argo's `Service`: the Kubernetes Service put in front of webhook-style sources. */
export const EventSourceService = Obj({
  metadata: Opt(ObjectMetadata),
  ports: Opt(
    Type.Array(Embedded('A Kubernetes ServicePort.'), { description: 'Ports the Service exposes.' }),
  ),
  clusterIP: Opt(Type.String({ description: 'Fixed cluster IP, or "None" for a headless Service.' })),
});
export type EventSourceService = Static<typeof EventSourceService>;

/** `{<eventName>: <config>}` for one source type. */
function events<T extends TSchema>(type: SourceType, config: T) {
  return Opt(StringMap(config, `Events of type ${type}, by event name.`));
}

export const EventSourceSpec = Obj(
  {
    eventBusName: Opt(Type.String({ description: 'EventBus to publish to.', default: 'default' })),
    template: Opt(PodTemplate),
    service: Opt(EventSourceService),
    replicas: Opt(Type.Integer({ description: 'Replicas of the EventSource Deployment.', default: 1 })),
    webhook: events('webhook', WebhookEventSource),
    github: events('github', GithubEventSource),
    gitlab: events('gitlab', GitlabEventSource),
    bitbucket: events('bitbucket', BitbucketEventSource),
    bitbucketserver: events('bitbucketserver', BitbucketServerEventSource),
    gitea: events('gitea', GiteaEventSource),
    calendar: events('calendar', CalendarEventSource),
    nats: events('nats', NatsEventSource),
    amqp: events('amqp', AmqpEventSource),
    mqtt: events('mqtt', MqttEventSource),
    redis: events('redis', RedisEventSource),
    redisStream: events('redisStream', RedisStreamEventSource),
    file: events('file', FileEventSource),
    resource: events('resource', ResourceEventSource),
  },
  'Event definitions, one map per source type, and how the EventSource runs.',
);
export type EventSourceSpec = Static<typeof EventSourceSpec>;

export const EventSource = Obj(
  {
    apiVersion: Type.String({ description: 'impulse.dev/v1alpha1, or argoproj.io/v1alpha1 as an alias.' }),
    kind: Type.Literal('EventSource'),
    metadata: ManifestMetadata,
    spec: EventSourceSpec,
    status: Opt(Status),
  },
  'Turns outside happenings (webhooks, schedules, messages, resource changes) into events on the bus.',
);
export type EventSource = Static<typeof EventSource>;
