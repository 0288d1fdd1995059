import { type Static, Type } from '@sinclair/typebox';
import { Backoff, BasicAuth, Metadata, SecretKeySelector, TLSConfig } from '../common.ts';
import { Obj, Opt } from '../schema-kit.ts';
import { EventSourceFilter } from './shared.ts';

/** Ways to authenticate to a NATS server; set one. */
export const NatsAuth = Obj({
  basic: Opt(BasicAuth),
  token: Opt(SecretKeySelector),
  nkey: Opt(SecretKeySelector),
  credential: Opt(SecretKeySelector),
});
export type NatsAuth = Static<typeof NatsAuth>;

/** One `spec.nats.<event>` entry: messages on a NATS subject. */
export const NatsEventSource = Obj(
  {
    url: Type.String({ minLength: 1, description: 'NATS server URL, e.g. nats://nats:4222.' }),
    subject: Type.String({ minLength: 1, description: 'Subject to subscribe to; wildcards allowed.' }),
    connectionBackoff: Opt(Backoff),
    jsonBody: Opt(
      Type.Boolean({ description: 'Parse message bodies as JSON instead of passing them as bytes.' }),
    ),
    tls: Opt(TLSConfig),
    metadata: Opt(Metadata),
    auth: Opt(NatsAuth),
    filter: Opt(EventSourceFilter),
    queue: Opt(
      Type.String({ minLength: 1, description: 'Queue group to join, so replicas share the messages.' }),
    ),
  },
  'Messages published on a NATS subject.',
);
export type NatsEventSource = Static<typeof NatsEventSource>;
