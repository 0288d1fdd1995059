import { type Static, Type } from '@sinclair/typebox';
import { Metadata, SecretKeySelector, TLSConfig } from '../common.ts';
import { Obj, Opt } from '../schema-kit.ts';
import { EventSourceFilter } from './shared.ts';

/** One `spec.redisStream.<event>` entry: entries appended to Redis streams, read by a consumer group. */
export const RedisStreamEventSource = Obj(
  {
    hostAddress: Type.String({ minLength: 1, description: 'Redis address as host:port.' }),
    password: Opt(SecretKeySelector),
    db: Opt(Type.Integer({ minimum: 0, description: 'Database number to select.' })),
    streams: Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'Stream keys to read.' }),
    maxMsgCountPerRead: Opt(
      Type.Integer({
        minimum: 0,
        description: 'Entries fetched per read from each stream; 0 means the default.',
        default: 10,
      }),
    ),
    consumerGroup: Opt(Type.String({ description: 'Consumer group to read as.', default: 'argo-events-cg' })),
    tls: Opt(TLSConfig),
    metadata: Opt(Metadata),
    filter: Opt(EventSourceFilter),
    username: Opt(Type.String({ description: 'ACL user name (Redis 6 and later).' })),
  },
  'Entries appended to Redis streams.',
);
export type RedisStreamEventSource = Static<typeof RedisStreamEventSource>;
