import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll } from 'vitest';
import { createSecretResolver } from '../../../core/secrets.ts';
import { createMqttSource } from '../../../eventsources/mqtt/index.ts';
import { type Mosquitto, startMosquitto } from '../../support/mosquitto.ts';
import { freePort } from '../../support/ports.ts';
import { startTcpProxy } from '../../support/tcp-proxy.ts';
import { uniqueName } from '../../support/unique.ts';
import { type MakeSource, runSourceConformance } from '../conformance.ts';
import { sourceInit } from '../source-fixture.ts';

let broker: Mosquitto;
let publisher: MqttClient;
beforeAll(async () => {
  broker = await startMosquitto();
  publisher = await connectAsync(broker.url);
});
afterAll(async () => {
  await publisher.endAsync();
  await broker.close();
});

function harness(qos: 0 | 1): MakeSource {
  return async (kind, options = {}) => {
    if (kind === 'broken') {
      const port = await freePort();
      const driver = createMqttSource(
        sourceInit(
          'mqtt',
          {
            url: `tcp://127.0.0.1:${port}`,
            topic: 'never',
            clientId: uniqueName('broken'),
            qos,
            auth: { username: { name: 'mqtt', key: 'user' }, password: { name: 'mqtt', key: 'pass' } },
            connectionBackoff: { duration: '50ms', steps: 2, jitter: 0 },
          },
          {
            secrets: createSecretResolver({
              env: { IMPULSE_SECRET_MQTT_USER: 'me', IMPULSE_SECRET_MQTT_PASS: 's3cret-pass' },
            }),
          },
        ),
      );
      return {
        start: (ctx) => driver.start(ctx),
        produce: async () => undefined,
        expectedStartupError: new RegExp(`cannot connect to tcp://127\\.0\\.0\\.1:${port}`),
        secret: 's3cret-pass',
      };
    }
    const proxy = await startTcpProxy({ port: broker.port });
    const topic = options.group ? `t/${options.group}` : `t/${uniqueName('c')}`;
    const driver = createMqttSource(
      sourceInit(
        'mqtt',
        {
          url: `tcp://127.0.0.1:${proxy.port}`,
          topic,
          clientId: options.group ?? uniqueName('client'),
          qos,
          connectionBackoff: { duration: '200ms', factor: 2, jitter: 0, steps: 3 },
        },
        { services: options.leases ? { leases: options.leases } : {} },
      ),
    );
    return {
      start: (ctx) => driver.start(ctx),
      produce: async () => {
        await publisher.publishAsync(topic, 'hello', { qos });
      },
      cut: () => proxy.cut(),
      restore: () => proxy.restore(),
      refused: () => proxy.refused,
      cleanup: () => proxy.close(),
    };
  };
}

runSourceConformance('mqtt (QoS 0)', harness(0), { reconnect: true, lease: true });
runSourceConformance('mqtt (QoS 1)', harness(1), { reconnect: true, lease: true });
