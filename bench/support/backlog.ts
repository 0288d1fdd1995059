import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createCloudEvent, eventSubject, messageId } from '../../eventbus/index.ts';

const now = () => performance.timeOrigin + performance.now();

/** A webhook-shaped event as the bench's sensors read it: `body.id` and `body.sentAt`. */
function benchEvent(source: string, event: string, id: string) {
  return createCloudEvent({
    id,
    source,
    type: 'webhook',
    subject: event,
    data: {
      header: { 'Content-Type': ['application/json'] },
      body: { id, sentAt: String(now()), message: 'hello from bench', n: 42 },
    },
  });
}

/**
 * Publishes `count` events to bus `bus` as EventSource `source` would, as fast as JetStream takes
 * them (up to 256 unanswered), cycling through `events` (`['a', 'b']` alternates). Resolves once all
 * are stored.
 */
export async function publishBacklog(
  url: string,
  bus: string,
  source: string,
  events: string[],
  count: number,
  prefix: string,
): Promise<void> {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  try {
    const js = jetstream(nc);
    const inFlight = new Set<Promise<unknown>>();
    for (let i = 0; i < count; i++) {
      const name = events[i % events.length]!;
      const id = `${prefix}-${Math.floor(i / events.length)}-${name}`;
      const p = js.publish(eventSubject(bus, source, name), JSON.stringify(benchEvent(source, name, id)), {
        msgID: messageId(source, name, id),
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      if (inFlight.size >= 256) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    await nc.close();
  }
}

/**
 * Publishes events at `rate` per second for `seconds`, each stamped with its send time (open loop:
 * event i leaves at start + i/rate whatever happened before).
 */
export async function publishPaced(
  url: string,
  bus: string,
  source: string,
  events: string[],
  rate: number,
  seconds: number,
  prefix: string,
): Promise<number> {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const js = jetstream(nc);
  const total = Math.round(rate * seconds);
  const pending: Promise<unknown>[] = [];
  const start = now();
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const name = events[i % events.length]!;
    const id = `${prefix}-${Math.floor(i / events.length)}-${name}`;
    pending.push(
      js.publish(eventSubject(bus, source, name), JSON.stringify(benchEvent(source, name, id)), {
        msgID: messageId(source, name, id),
      }),
    );
  }
  await Promise.all(pending);
  await nc.close();
  return total;
}

/**
 * The baseline: a durable pull consumer reading a backlog of `count` events with explicit acks
 * (confirmed, as the sensor's are), in this process. Resolves with events per second.
 */
export async function rawConsumeRate(url: string, count: number): Promise<number> {
  const nc: NatsConnection = await connect({ servers: url, noAsyncTraces: true });
  try {
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await jsm.streams.add({ name: 'rawconsume', subjects: ['rawconsume.>'] });
    await jsm.consumers.add('rawconsume', {
      durable_name: 'raw',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: 256,
    });
    await publishBacklog(url, 'rawconsume', 'src', ['a'], count, 'raw');
    const consumer = await js.consumers.get('rawconsume', 'raw');
    const messages = await consumer.consume({ max_messages: 64 });
    const started = performance.now();
    let seen = 0;
    const acks: Promise<unknown>[] = [];
    for await (const m of messages) {
      JSON.parse(m.string());
      acks.push(m.ackAck());
      if (acks.length >= 256) await Promise.all(acks.splice(0));
      if (++seen >= count) break;
    }
    await Promise.all(acks);
    const rate = count / ((performance.now() - started) / 1000);
    await jsm.streams.delete('rawconsume');
    return rate;
  } finally {
    await nc.close();
  }
}

/** How many events the trigger `key` of bus `bus` holds now (its correlation state in KV). */
export async function heldEvents(url: string, bus: string, key: string): Promise<number> {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  try {
    const kv = await new Kvm(nc).open(`${bus}-correlation`);
    const entry = await kv.get(key);
    if (entry?.operation !== 'PUT') return 0;
    return Object.keys(entry.json<{ held?: Record<string, unknown> }>().held ?? {}).length;
  } finally {
    await nc.close();
  }
}
