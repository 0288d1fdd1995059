import { type Static, Type } from '@sinclair/typebox';
import { Metadata, SecretKeySelector, TLSConfig } from '../common.ts';
import { Obj, Opt } from '../schema-kit.ts';
import { EventSourceFilter } from './shared.ts';

/** One `spec.redis.<event>` entry: messages on Redis pub/sub channels. */
export const RedisEventSource = Obj(
  {
    hostAddress: Type.String({ minLength: 1, description: 'Redis address as host:port.' }),
    password: Opt(SecretKeySelector),
    namespace: Opt(
      Type.String({
        description: 'Namespace of the password Secret; Argo requires it when `password` is set.',
      }),
    ),
    db: Opt(Type.Integer({ minimum: 0, description: 'Database number to select.' })),
    channels: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description: 'Channels to subscribe to; glob patterns such as `news.*` are allowed.',
    }),
    tls: Opt(TLSConfig),
    metadata: Opt(Metadata),
    filter: Opt(EventSourceFilter),
    jsonBody: Opt(
      Type.Boolean({ description: 'Parse message bodies as JSON instead of passing them as strings.' }),
    ),
    username: Opt(Type.String({ description: 'ACL user name (Redis 6 and later).' })),
  },
  'Messages published on Redis pub/sub channels.',
);
export type RedisEventSource = Static<typeof RedisEventSource>;
