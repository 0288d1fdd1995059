import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { percentile } from './processes.ts';

/**
 * The floor for end-to-end latency: publish to JetStream at `rate` per second and consume with a
 * durable pull consumer and explicit ack, in one process, measuring publish-to-consume time.
 */
export async function rawJetStreamLatency(
  url: string,
  rate: number,
  seconds: number,
): Promise<{ p50: number; p99: number }> {
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  await jsm.streams.add({ name: 'raw', subjects: ['raw.>'] });
  await jsm.consumers.add('raw', {
    durable_name: 'raw',
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.New,
  });
  const consumer = await js.consumers.get('raw', 'raw');
  const latencies: number[] = [];
  const total = rate * seconds;
  const now = () => performance.timeOrigin + performance.now();
  const messages = await consumer.consume();
  const done = (async () => {
    for await (const m of messages) {
      latencies.push(now() - Number(m.string()));
      m.ack();
      if (latencies.length >= total) break;
    }
  })();
  const start = now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await js.publish('raw.x', String(now()));
  }
  await done;
  await jsm.streams.delete('raw');
  await nc.close();
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
