import { type Static, Type } from '@sinclair/typebox';
import { Backoff, BasicAuth, Metadata, SecretKeySelector, TLSConfig } from '../common.ts';
import { Obj, Opt } from '../schema-kit.ts';
import { EventSourceFilter } from './shared.ts';

/** Flags for declaring the exchange. */
export const AmqpExchangeDeclare = Obj({
  durable: Opt(Type.Boolean({ description: 'Keep the exchange across broker restarts.' })),
  autoDelete: Opt(Type.Boolean({ description: 'Delete the exchange once no queue is bound to it.' })),
  internal: Opt(Type.Boolean({ description: 'Accept messages only from other exchanges.' })),
  noWait: Opt(Type.Boolean({ description: 'Do not wait for the broker to confirm the declaration.' })),
});
export type AmqpExchangeDeclare = Static<typeof AmqpExchangeDeclare>;

/** Name and flags for declaring the queue the source consumes from. */
export const AmqpQueueDeclare = Obj({
  name: Opt(Type.String({ description: 'Queue name; empty lets the broker pick a unique one.' })),
  durable: Opt(Type.Boolean({ description: 'Keep the queue across broker restarts.' })),
  autoDelete: Opt(Type.Boolean({ description: 'Delete the queue once its last consumer is gone.' })),
  exclusive: Opt(Type.Boolean({ description: 'Only this connection may use the queue.' })),
  noWait: Opt(Type.Boolean({ description: 'Do not wait for the broker to confirm the declaration.' })),
  arguments: Opt(
    Type.String({ description: 'Extra queue arguments as a YAML map, e.g. "x-queue-type: quorum".' }),
  ),
});
export type AmqpQueueDeclare = Static<typeof AmqpQueueDeclare>;

/** Flags for binding the queue to the exchange. */
export const AmqpQueueBind = Obj({
  noWait: Opt(Type.Boolean({ description: 'Do not wait for the broker to confirm the binding.' })),
});
export type AmqpQueueBind = Static<typeof AmqpQueueBind>;

/** Consumer settings. */
export const AmqpConsume = Obj({
  consumerTag: Opt(Type.String({ description: 'Consumer tag; empty lets the client generate one.' })),
  autoAck: Opt(Type.Boolean({ description: 'Let the broker consider messages acknowledged on delivery.' })),
  exclusive: Opt(Type.Boolean({ description: 'Be the only consumer of the queue.' })),
  noLocal: Opt(Type.Boolean({ description: 'Skip messages published on this same connection.' })),
  noWait: Opt(Type.Boolean({ description: 'Do not wait for the broker to confirm the consumer.' })),
});
export type AmqpConsume = Static<typeof AmqpConsume>;

/** One `spec.amqp.<event>` entry: messages from a queue bound to an AMQP 0-9-1 exchange. */
export const AmqpEventSource = Obj(
  {
    url: Opt(Type.String({ description: 'Broker URL, e.g. amqp://rabbitmq:5672; or use `urlSecret`.' })),
    exchangeName: Type.String({ minLength: 1, description: 'Exchange to bind the queue to.' }),
    exchangeType: Type.String({
      minLength: 1,
      description: 'Exchange type: direct, fanout, topic or headers.',
    }),
    routingKey: Type.String({ minLength: 1, description: 'Routing key (binding key) of the queue binding.' }),
    connectionBackoff: Opt(Backoff),
    jsonBody: Opt(
      Type.Boolean({ description: 'Parse message bodies as JSON instead of passing them as bytes.' }),
    ),
    tls: Opt(TLSConfig),
    metadata: Opt(Metadata),
    exchangeDeclare: Opt(AmqpExchangeDeclare),
    queueDeclare: Opt(AmqpQueueDeclare),
    queueBind: Opt(AmqpQueueBind),
    consume: Opt(AmqpConsume),
    auth: Opt(BasicAuth),
    urlSecret: Opt(SecretKeySelector),
    filter: Opt(EventSourceFilter),
  },
  'Messages consumed from an AMQP (RabbitMQ) queue.',
);
export type AmqpEventSource = Static<typeof AmqpEventSource>;
