import { randomUUID } from 'node:crypto';
import { DiscardPolicy, type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isImpulseError } from '../../core/errors.ts';
import {
  type BusMessage,
  createCloudEvent,
  createEventBus,
  createJetStreamBus,
  type EventBus,
  eventSubject,
  messageId,
} from '../../eventbus/index.ts';
import { removeBusTraces } from '../support/jetstream.ts';
import { startNatsServer } from '../support/nats-server.ts';
import { waitFor, within } from '../support/wait.ts';
import { runBusConformance } from './conformance.ts';

const SHARED_URL = process.env.IMPULSE_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nc = await connect({ servers: SHARED_URL });
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  await nc?.drain();
});

const busName = () => `t${randomUUID().slice(0, 8)}`;

async function removeTraces(name: string): Promise<void> {
  await removeBusTraces(name, SHARED_URL);
}

runBusConformance('jetstream', async () => {
  const name = busName();
  const bus = await createJetStreamBus({ url: SHARED_URL, name });
  return { bus, cleanup: () => removeTraces(name) };
});

const event = (id: string) =>
  createCloudEvent({ id, source: 'src', type: 'webhook', subject: 'ev', data: { id } });
const publish = (bus: EventBus, id: string) =>
  bus.publish(eventSubject(bus.name, 'src', 'ev'), event(id), { msgId: messageId('src', 'ev', id) });

describe('jetstream bus', () => {
  it('creates a missing stream with the documented defaults', async () => {
    const name = busName();
    try {
      await using bus = await createEventBus({ url: SHARED_URL, name });
      expect(bus.driver).toBe('jetstream');
      const { config } = await jsm.streams.info(name);
      expect(config).toMatchObject({
        name,
        subjects: [`${name}.>`],
        storage: 'file',
        retention: 'limits',
        max_age: nanos(72 * 60 * 60 * 1000),
        max_bytes: 1024 * 1024 * 1024,
        discard: 'new',
        duplicate_window: nanos(5 * 60 * 1000),
        num_replicas: 1,
      });
    } finally {
      await removeTraces(name);
    }
  });

  it('leaves an existing stream as it is, and says BUS_UNAVAILABLE when it is full', async () => {
    const name = busName();
    try {
      await jsm.streams.add({
        name,
        subjects: [`${name}.>`],
        max_age: nanos(60_000),
        max_msgs: 1,
        discard: DiscardPolicy.New,
      });
      const before = (await jsm.streams.info(name)).config;
      await using bus = await createJetStreamBus({ url: SHARED_URL, name });
      await publish(bus, 'e1');
      const err = await publish(bus, 'e2').catch((e: unknown) => e);
      expect(isImpulseError(err, 'BUS_UNAVAILABLE')).toBe(true);
      expect((await jsm.streams.info(name)).config).toEqual(before);
    } finally {
      await removeTraces(name);
    }
  });

  it('terminates a message that is not a CloudEvent and goes on', async () => {
    const name = busName();
    try {
      await using bus = await createJetStreamBus({ url: SHARED_URL, name });
      const sub = await bus.subscribe({ durable: 'reader', filterSubject: `${name}.>`, ackWaitMs: 1000 });
      const received: BusMessage[] = [];
      const done = (async () => {
        for await (const msg of sub) received.push(msg);
      })();
      const js = jsm.jetstream();
      await js.publish(`${name}.src.ev`, 'not json');
      await js.publish(`${name}.src.ev`, JSON.stringify({ specversion: '1.0', id: 'x' }));
      await publish(bus, 'good');
      const msg = await waitFor(() => received[0]);
      expect(msg.event.id).toBe('good');
      await msg.ack();
      await waitFor(async () => (await jsm.consumers.info(name, 'reader')).num_ack_pending === 0);
      expect(received).toHaveLength(1);
      await sub.close();
      await done;
    } finally {
      await removeTraces(name);
    }
  });

  it("takes maxPayload from the server's max_payload", async () => {
    await using server = await startNatsServer({ maxPayload: 64 * 1024 });
    await using bus = await createJetStreamBus({ url: server.url, name: 'small' });
    expect(bus.maxPayload).toBe(64 * 1024);
    const big = createCloudEvent({
      source: 'src',
      type: 'webhook',
      subject: 'ev',
      data: 'x'.repeat(64 * 1024),
    });
    const err = await bus.publish('small.src.ev', big, { msgId: 'big' }).catch((e: unknown) => e);
    expect(isImpulseError(err, 'PAYLOAD_TOO_LARGE')).toBe(true);
    expect((await publish(bus, 'small-enough')).duplicate).toBe(false);
  });

  it('rides out a nats-server restart without being recreated', async () => {
    await using server = await startNatsServer();
    await using bus = await createJetStreamBus({ url: server.url, name: 'outage' });
    const sub = await bus.subscribe({ durable: 'survivor', filterSubject: 'outage.>', ackWaitMs: 1000 });
    const received: BusMessage[] = [];
    void (async () => {
      for await (const msg of sub) {
        received.push(msg);
        // The bus may close under an ack at the end of the test; that is not what is tested here.
        await msg.ack().catch(() => undefined);
      }
    })();
    await publish(bus, 'before');
    await waitFor(() => received.length === 1);

    await server.stop();
    await waitFor(() => !bus.connected, { message: 'the bus to notice the outage' });
    const err = await publish(bus, 'during').catch((e: unknown) => e);
    expect(isImpulseError(err, 'BUS_UNAVAILABLE')).toBe(true);
    const subErr = await bus
      .subscribe({ durable: 'late', filterSubject: 'outage.>' })
      .catch((e: unknown) => e);
    expect(isImpulseError(subErr, 'BUS_UNAVAILABLE')).toBe(true);

    await server.start();
    await waitFor(() => bus.connected, { timeoutMs: 10_000, message: 'the bus to reconnect' });
    await waitFor(() => publish(bus, 'after'), { timeoutMs: 10_000, message: 'a publish to succeed again' });
    await waitFor(() => received.length === 2, { timeoutMs: 15_000, message: 'delivery after the restart' });
    expect(received.map((m) => m.event.id)).toEqual(['before', 'after']);
  });

  it('closes promptly while the server is away', async () => {
    await using server = await startNatsServer();
    const bus = await createJetStreamBus({ url: server.url, name: 'away' });
    const sub = await bus.subscribe({ durable: 'reader', filterSubject: 'away.>' });
    const done = (async () => {
      for await (const _ of sub);
    })();
    await server.stop();
    await waitFor(() => !bus.connected);
    await within(bus.close(), 3000, 'close() during an outage');
    await within(done, 1000, 'the subscription to end');
  });

  it('brings the settings of an existing consumer up to date', async () => {
    const name = busName();
    try {
      await using bus = await createJetStreamBus({ url: SHARED_URL, name });
      const options = {
        durable: 'tuned',
        filterSubject: `${name}.src.ev`,
        ackWaitMs: 1000,
        maxAckPending: 10,
      };
      await (await bus.subscribe(options)).close();
      await publish(bus, 'while-away');
      const sub = await bus.subscribe({ ...options, ackWaitMs: 2000, maxDeliver: 5 });
      const info = await jsm.consumers.info(name, 'tuned');
      expect(info.config).toMatchObject({ ack_wait: nanos(2000), max_deliver: 5, max_ack_pending: 10 });
      const first = await within(
        sub[Symbol.asyncIterator]().next(),
        5000,
        'the message published while away',
      );
      expect(first.value?.event.id).toBe('while-away');
      await sub.close();
    } finally {
      await removeTraces(name);
    }
  });

  it('waits for a server that starts after it', async () => {
    await using server = await startNatsServer();
    await server.stop();
    const pending = createJetStreamBus({ url: server.url, name: 'later' });
    await server.start();
    await using bus = await within(pending, 10_000, 'the bus to connect');
    expect(bus.connected).toBe(true);
    expect((await publish(bus, 'first')).seq).toBe(1);
  });

  it('gives up waiting for an absent server when its signal aborts', async () => {
    const server = await startNatsServer();
    const url = server.url;
    await server.close();
    const controller = new AbortController();
    const pending = createJetStreamBus({ url, name: 'never', signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    controller.abort();
    const err = await pending;
    expect(isImpulseError(err, 'CLOSED')).toBe(true);
  });
});
