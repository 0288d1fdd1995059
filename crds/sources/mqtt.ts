import { type Static, Type } from '@sinclair/typebox';
import { Backoff, BasicAuth, Metadata, TLSConfig } from '../common.ts';
import { Obj, Opt } from '../schema-kit.ts';
import { EventSourceFilter } from './shared.ts';

/** One `spec.mqtt.<event>` entry: messages on an MQTT topic. */
export const MqttEventSource = Obj(
  {
    url: Type.String({ minLength: 1, description: 'Broker URL, e.g. tcp://mosquitto:1883.' }),
    topic: Type.String({ minLength: 1, description: 'Topic filter to subscribe to; `+` and `#` allowed.' }),
    clientId: Type.String({
      minLength: 1,
      description: 'MQTT client id; unique per connection to the broker.',
    }),
    connectionBackoff: Opt(Backoff),
    jsonBody: Opt(
      Type.Boolean({ description: 'Parse message bodies as JSON instead of passing them as bytes.' }),
    ),
    tls: Opt(TLSConfig),
    metadata: Opt(Metadata),
    filter: Opt(EventSourceFilter),
    auth: Opt(BasicAuth),
    qos: Opt(
      Type.Integer({
        minimum: 0,
        maximum: 1,
        description:
          'Impulse: 0 (the default, as in Argo Events) subscribes at most once; 1 keeps a persistent session for `clientId` and acknowledges each message once the EventBus has stored it.',
      }),
    ),
  },
  'Messages published on an MQTT topic.',
);
export type MqttEventSource = Static<typeof MqttEventSource>;
