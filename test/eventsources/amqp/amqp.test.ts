import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImpulseError } from '../../../core/errors.ts';
import { createAmqpSource } from '../../../eventsources/amqp/index.ts';
import { type AmqpTestClient, amqpTestClient } from '../../support/rabbitmq.ts';
import { uniqueName } from '../../support/unique.ts';
import { waitFor, within } from '../../support/wait.ts';
import { busWorld, eventSourceFrom } from '../bus-fixture.ts';
import { recording, sourceInit } from '../source-fixture.ts';

let client: AmqpTestClient;
beforeEach(async () => {
  client = await amqpTestClient();
});
afterEach(() => client.close());

function amqpSource(extra: Record<string, unknown> = {}) {
  const exchange = uniqueName('ex');
  client.forget({ exchange });
  const driver = createAmqpSource(
    sourceInit('amqp', {
      url: 'amqp://guest:guest@127.0.0.1:5672',
      exchangeName: exchange,
      exchangeType: 'topic',
      routingKey: 'orders.*',
      ...extra,
    }),
  );
  return { driver, exchange };
}

describe('amqp source', () => {
  it('hands over the message properties and a JSON body, as Argo Events builds the payload', async () => {
    const { driver, exchange } = amqpSource({ jsonBody: true, metadata: { team: 'a' } });
    const rec = recording();
    const running = driver.start(rec.ctx);
    await waitFor(() => rec.readyCalls > 0);
    await client.publish(exchange, 'orders.new', '{"id":7}', {
      contentType: 'application/json',
      messageId: 'm-1',
      correlationId: 'c-1',
      timestamp: 1767225600,
      priority: 3,
      deliveryMode: 2,
      type: 'order',
      appId: 'shop',
    });
    await waitFor(() => rec.events.length === 1);
    expect(rec.events[0]!.payload).toEqual({
      contentType: 'application/json',
      contentEncoding: '',
      deliveryMode: 2,
      priority: 3,
      correlationId: 'c-1',
      replyTo: '',
      expiration: '',
      messageId: 'm-1',
      timestamp: '2026-01-01 00:00:00 +0000 UTC',
      type: 'order',
      appId: 'shop',
      exchange,
      routingKey: 'orders.new',
      body: { id: 7 },
      metadata: { team: 'a' },
    });
    rec.stop();
    await within(running, 5000);
  });

  it('keeps a body that is not JSON as text without jsonBody, and refuses it with jsonBody', async () => {
    const plain = amqpSource();
    const rec = recording();
    const running = plain.driver.start(rec.ctx);
    await waitFor(() => rec.readyCalls > 0);
    await client.publish(plain.exchange, 'orders.x', 'plain text');
    await waitFor(() => rec.events.length === 1);
    expect(rec.events[0]!.payload).toMatchObject({
      body: 'plain text',
      timestamp: '0001-01-01 00:00:00 +0000 UTC',
    });
    rec.stop();
    await within(running, 5000);

    const json = amqpSource({ jsonBody: true });
    const rec2 = recording();
    const running2 = json.driver.start(rec2.ctx);
    await waitFor(() => rec2.readyCalls > 0);
    await client.publish(json.exchange, 'orders.x', 'not json');
    await client.publish(json.exchange, 'orders.x', '{"ok":true}');
    await waitFor(() => rec2.events.length === 1);
    expect(rec2.rejected).toBe(1);
    expect(rec2.events[0]!.payload).toMatchObject({ body: { ok: true } });
    rec2.stop();
    await within(running2, 5000);
  });

  it('acknowledges only after the durable publish: a message not stored comes back to the next consumer', async () => {
    const queue = uniqueName('q');
    client.forget({ queue });
    const { driver, exchange } = amqpSource({ queueDeclare: { name: queue, exclusive: false } });
    const rec = recording();
    rec.ctx.dispatch = async () => {
      throw new ImpulseError('BUS_UNAVAILABLE', 'the bus is away');
    };
    const running = driver.start(rec.ctx);
    await waitFor(() => rec.readyCalls > 0);
    await client.publish(exchange, 'orders.kept', 'keep me');
    // Held, not acknowledged: the broker has nothing ready, the message is out with the consumer.
    await waitFor(async () => (await client.messageCount(queue)) === 0);
    rec.stop();
    await within(running, 5000);
    await waitFor(async () => (await client.messageCount(queue)) === 1, {
      message: 'the message back in the queue',
    });

    const again = createAmqpSource(
      sourceInit('amqp', {
        url: 'amqp://guest:guest@127.0.0.1:5672',
        exchangeName: exchange,
        exchangeType: 'topic',
        routingKey: 'orders.*',
        queueDeclare: { name: queue, exclusive: false },
      }),
    );
    const rec2 = recording();
    const running2 = again.start(rec2.ctx);
    await waitFor(() => rec2.events.length === 1);
    expect(rec2.events[0]!.payload).toMatchObject({ body: 'keep me', routingKey: 'orders.kept' });
    await waitFor(async () => (await client.messageCount(queue)) === 0);
    rec2.stop();
    await within(running2, 5000);
  });

  it('acknowledges in batches, yet a message still waiting does not bring back the stored ones after it', async () => {
    const queue = uniqueName('q');
    client.forget({ queue });
    const { driver, exchange } = amqpSource({ queueDeclare: { name: queue, exclusive: false } });
    const rec = recording();
    const dispatch = rec.ctx.dispatch;
    let giveUp!: () => void;
    const stuck = new Promise<never>((_, reject) => {
      giveUp = () => reject(new ImpulseError('CLOSED', 'stopped while waiting'));
    });
    rec.ctx.dispatch = async (payload, options) => {
      if ((payload as { body: string }).body === 'stuck') return stuck;
      return dispatch(payload, options);
    };
    const running = driver.start(rec.ctx);
    await waitFor(() => rec.readyCalls > 0);
    for (const body of ['stuck', 'a', 'b', 'c']) await client.publish(exchange, 'orders.x', body);
    await waitFor(() => rec.events.length === 3);
    rec.stop();
    giveUp();
    await within(running, 5000);
    await waitFor(async () => (await client.messageCount(queue)) === 1, {
      message: 'only the stuck message back',
    });
  });

  it('with autoAck counts a message the bus cannot take as dropped', async () => {
    const { driver, exchange } = amqpSource({ consume: { autoAck: true } });
    const rec = recording();
    rec.ctx.dispatch = async () => {
      throw new ImpulseError('BUS_UNAVAILABLE', 'the bus is away');
    };
    const running = driver.start(rec.ctx);
    await waitFor(() => rec.readyCalls > 0);
    await client.publish(exchange, 'orders.lost', 'gone');
    await waitFor(() => rec.dropped === 1);
    rec.stop();
    await within(running, 5000);
  });
});

describe('amqp source across a bus outage', () => {
  it('loses nothing published while NATS was down: held messages wait, the broker keeps the rest', async () => {
    await using world = await busWorld();
    const exchange = uniqueName('ex');
    const queue = uniqueName('q');
    client.forget({ exchange, queue });
    await world.run(
      eventSourceFrom(`apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: orders}
spec:
  amqp:
    created:
      url: amqp://127.0.0.1:5672
      exchangeName: ${exchange}
      exchangeType: fanout
      routingKey: any
      jsonBody: true
      queueDeclare: {name: ${queue}, durable: false, exclusive: false}
      auth:
        username: {name: rabbit, key: user}
        password: {name: rabbit, key: pass}
`),
      { IMPULSE_SECRET_RABBIT_USER: 'guest', IMPULSE_SECRET_RABBIT_PASS: 'guest' },
    );
    await client.publish(exchange, 'any', '{"n":0}');
    await waitFor(() => world.events.length === 1, { timeoutMs: 10_000 });

    await world.nats.stop();
    // More than the prefetch window (256): some wait in the source, the rest in the queue.
    const count = 400;
    for (let n = 1; n <= count; n++) await client.publish(exchange, 'any', JSON.stringify({ n }));
    await world.nats.start();

    await waitFor(() => world.events.length >= count + 1, { timeoutMs: 30_000, message: 'every message' });
    const seen = world.events.map((e) => (e.data as { body: { n: number } }).body.n);
    expect(new Set(seen).size).toBe(count + 1);
    expect(seen.length).toBe(count + 1);
    await waitFor(async () => (await client.messageCount(queue)) === 0);
  });
});
