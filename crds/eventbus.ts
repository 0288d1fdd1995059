import { type Static, Type } from '@sinclair/typebox';
import { ManifestMetadata, ObjectMetadata, SecretKeySelector, Status, TLSConfig } from './common.ts';
import { Embedded, Obj, Opt, StringMap } from './schema-kit.ts';

const ContainerTemplate = Obj({
  resources: Opt(Embedded()),
  imagePullPolicy: Opt(Type.String()),
  securityContext: Opt(Embedded()),
});

const Persistence = Obj({
  storageClassName: Opt(Type.String()),
  accessMode: Opt(Type.String()),
  volumeSize: Opt(Type.Union([Type.String(), Type.Integer()], { 'x-kubernetes-int-or-string': true })),
});

/**
 * Stream settings, as Argo's YAML string (`streamConfig: |\n maxAge: 72h`) or as a structured map.
 * Keys follow Argo Events: maxMsgs, maxAge, maxBytes, replicas, duplicates, retention, discard.
 */
const StreamConfig = Type.Union([
  Type.String({ description: 'Stream settings as a YAML document (Argo Events form).' }),
  Obj({
    maxMsgs: Opt(Type.Integer()),
    maxAge: Opt(Type.String({ description: 'Go duration, e.g. 72h.' })),
    maxBytes: Opt(Type.Union([Type.Integer(), Type.String()])),
    replicas: Opt(Type.Integer({ minimum: 1 })),
    duplicates: Opt(Type.String({ description: 'Duplicate window, a Go duration, e.g. 5m.' })),
    retention: Opt(Type.String()),
    discard: Opt(Type.String()),
    maxMsgSize: Opt(Type.Integer()),
    streamName: Opt(Type.String({ description: 'Stream name; defaults to the EventBus name.' })),
  }),
]);

/** An EventBus that the controller runs: a NATS JetStream StatefulSet. */
export const JetStreamBus = Obj({
  version: Opt(Type.String({ description: 'NATS server version (image tag) to run.' })),
  replicas: Opt(Type.Integer({ minimum: 1, description: 'NATS servers in the cluster.', default: 3 })),
  containerTemplate: Opt(ContainerTemplate),
  reloaderContainerTemplate: Opt(ContainerTemplate),
  metricsContainerTemplate: Opt(ContainerTemplate),
  persistence: Opt(Persistence),
  metadata: Opt(ObjectMetadata),
  nodeSelector: Opt(StringMap(Type.String())),
  tolerations: Opt(Type.Array(Embedded())),
  securityContext: Opt(Embedded()),
  imagePullSecrets: Opt(Type.Array(Embedded())),
  priorityClassName: Opt(Type.String()),
  priority: Opt(Type.Integer()),
  affinity: Opt(Embedded()),
  serviceAccountName: Opt(Type.String()),
  settings: Opt(Type.String({ description: 'Extra nats-server configuration.' })),
  startArgs: Opt(Type.Array(Type.String())),
  streamConfig: Opt(StreamConfig),
  maxPayload: Opt(Type.String({ description: 'Largest message the server accepts, e.g. 8MB.' })),
});

/** An existing NATS server with JetStream, not managed by Impulse. */
export const JetStreamConfig = Obj({
  url: Type.String({ description: 'NATS URL, e.g. nats://nats.example:4222.' }),
  accessSecret: Opt(SecretKeySelector),
  streamConfig: Opt(StreamConfig),
  tls: Opt(TLSConfig),
});

export const EventBusSpec = Obj({
  jetstream: Opt(JetStreamBus),
  jetstreamExotic: Opt(JetStreamConfig),
});

export const EventBusStatus = Type.Composite([
  Status,
  Obj({ config: Opt(Obj({ jetstream: Opt(JetStreamConfig) })) }),
]);

export const EventBus = Obj({
  apiVersion: Type.String(),
  kind: Type.Literal('EventBus'),
  metadata: ManifestMetadata,
  spec: EventBusSpec,
  status: Opt(EventBusStatus),
});

export type EventBusSpec = Static<typeof EventBusSpec>;
export type EventBus = Static<typeof EventBus>;

export const BUS_TYPES = ['jetstream', 'jetstreamExotic'] as const;
/** Argo Events' other bus kinds: NATS Streaming (deprecated upstream) and Kafka. */
export const UNSUPPORTED_BUS_TYPES = ['nats', 'kafka'] as const;
