import { randomUUID } from 'node:crypto';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { Metrics } from '../../core/metrics.ts';
import { type CloudEvent, createJetStreamBus } from '../../eventbus/index.ts';
import { createDispatcher, type WebhookPayload } from '../../eventsources/index.ts';
import { startNatsServer } from '../support/nats-server.ts';
import { waitFor } from '../support/wait.ts';
import { postJson, send } from './http-client.ts';
import { startWebhookFixture } from './webhook-fixture.ts';

const SHARED_URL = process.env.IMPULSE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** The stored events of stream `name`, read straight from JetStream. */
async function storedEvents(
  jsm: JetStreamManager,
  name: string,
): Promise<Array<{ msgId?: string; event: CloudEvent }>> {
  const info = await jsm.streams.info(name);
  const out: Array<{ msgId?: string; event: CloudEvent }> = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const message = await jsm.streams.getMessage(name, { seq });
    if (!message) continue;
    const msgId = message.header?.get('Nats-Msg-Id');
    out.push({ ...(msgId ? { msgId } : {}), event: message.json<CloudEvent>() });
  }
  return out;
}

describe('webhook on the shared NATS server', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nc = await connect({ servers: SHARED_URL });
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    await nc?.drain();
  });

  async function withBus(test: (name: string) => Promise<void>): Promise<void> {
    const name = `t${randomUUID().slice(0, 8)}`;
    try {
      await test(name);
    } finally {
      await jsm.streams.delete(name).catch(() => undefined);
    }
  }

  it('stores the event in JetStream before answering 200, with the composed message id', () =>
    withBus(async (name) => {
      await using bus = await createJetStreamBus({ url: SHARED_URL, name });
      await using f = await startWebhookFixture({ bus, webhook: { example: {} }, collect: false });
      const answer = await postJson(f.url('example'), { ref: 'main' }, { 'x-github-event': 'push' });
      expect(answer.status).toBe(200);
      // No waiting: a 200 means JetStream has acknowledged the event.
      const stored = await storedEvents(jsm, name);
      expect(stored).toHaveLength(1);
      const [{ msgId, event }] = stored as [{ msgId: string; event: CloudEvent<WebhookPayload> }];
      expect(msgId).toBe(`${f.name}/example/${answer.json.id}`);
      expect(event).toMatchObject({
        id: answer.json.id,
        type: 'webhook',
        source: f.name,
        subject: 'example',
      });
      expect(event.data.body).toEqual({ ref: 'main' });
      expect(event.data.header['X-Github-Event']).toEqual(['push']);
      const last = await jsm.streams.getMessage(name, { last_by_subj: `${name}.${f.name}.example` });
      expect(last?.json<CloudEvent>().id).toBe(answer.json.id);
    }));

  it('stores an event dispatched twice with the same id once', () =>
    withBus(async (name) => {
      await using bus = await createJetStreamBus({ url: SHARED_URL, name });
      const dispatch = createDispatcher({
        bus,
        eventSourceName: 'github',
        sourceType: 'github',
        eventName: 'push',
        logger: silentLogger(),
        metrics: new Metrics(),
      });
      expect(await dispatch({ n: 1 }, { id: 'delivery-42' })).toMatchObject({ duplicate: false });
      expect(await dispatch({ n: 1 }, { id: 'delivery-42' })).toMatchObject({ duplicate: true });
      const stored = await storedEvents(jsm, name);
      expect(stored.map((s) => s.msgId)).toEqual(['github/push/delivery-42']);
    }));
});

describe('webhook on a private NATS server', () => {
  it('answers 503 with Retry-After while NATS is down, and 200 again once it is back, in the same process', async () => {
    await using server = await startNatsServer();
    await using bus = await createJetStreamBus({ url: server.url, name: 'outage' });
    await using f = await startWebhookFixture({ bus, webhook: { example: {} }, collect: false });
    expect((await postJson(f.url('example'), { n: 'before' })).status).toBe(200);

    await server.stop();
    await waitFor(() => !bus.connected, { message: 'the bus to notice the outage' });
    const refused = await postJson(f.url('example'), { n: 'during' });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await send(f.url('example', '/health'), { method: 'GET' })).status).toBe(503);

    await server.start();
    await waitFor(() => bus.connected, { timeoutMs: 15_000, message: 'the bus to reconnect' });
    const answer = await postJson(f.url('example'), { n: 'after' });
    expect(answer.status).toBe(200);
    expect((await send(f.url('example', '/health'), { method: 'GET' })).status).toBe(200);

    const nc = await connect({ servers: server.url });
    try {
      const stored = await storedEvents(await jetstreamManager(nc), 'outage');
      expect(stored.map((s) => (s.event.data as WebhookPayload).body)).toEqual([
        { n: 'before' },
        { n: 'after' },
      ]);
      expect(stored[1]?.event.id).toBe(answer.json.id);
    } finally {
      await nc.close();
    }
  });

  it('answers 413 naming both limits when the event exceeds the server’s max_payload', async () => {
    await using server = await startNatsServer({ maxPayload: 8 * 1024 });
    await using bus = await createJetStreamBus({ url: server.url, name: 'small' });
    await using f = await startWebhookFixture({ bus, webhook: { example: {} }, collect: false });
    const answer = await postJson(f.url('example'), { pad: 'x'.repeat(10 * 1024) });
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ maxPayloadSize: 1024 * 1024, busMaxPayload: 8 * 1024 });
    expect(answer.json.error).toMatch(/max_payload of 8192 bytes.*maxPayloadSize is 1048576 bytes/);
    expect((await postJson(f.url('example'), { pad: 'small' })).status).toBe(200);
  });
});
