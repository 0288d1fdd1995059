import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImpulseError } from '../../../core/errors.ts';
import { createRedisStreamSource } from '../../../eventsources/redis-stream/index.ts';
import { type RedisTestClient, redisTestClient } from '../../support/redis.ts';
import { uniqueName } from '../../support/unique.ts';
import { waitFor, within } from '../../support/wait.ts';
import { busWorld, eventSourceFrom } from '../bus-fixture.ts';
import { recording, sourceInit } from '../source-fixture.ts';

let client: RedisTestClient;
beforeEach(async () => {
  client = await redisTestClient();
});
afterEach(() => client.close());

function streamSource(stream: string, extra: Record<string, unknown> = {}) {
  client.forget(stream);
  return createRedisStreamSource(
    sourceInit('redisStream', { hostAddress: '127.0.0.1:6379', streams: [stream], ...extra }),
    { blockMs: 200 },
  );
}

/** Entries read by the group but not acknowledged. */
async function pending(stream: string, group = 'argo-events-cg'): Promise<number> {
  const [count] = (await client.redis.xpending(stream, group)) as [number];
  return count;
}

describe('redisStream source', () => {
  it('hands over {stream, message_id, values} with id <stream>:<entry id>, and acknowledges after the dispatch', async () => {
    const stream = uniqueName('orders');
    const rec = recording();
    const running = streamSource(stream, { metadata: { shop: 'x' } }).start(rec.ctx);
    await waitFor(() => rec.readyCalls > 0);
    const id = await client.redis.xadd(stream, '*', 'sku', 'a-1', 'qty', '2');
    await waitFor(() => rec.events.length === 1);
    expect(rec.events[0]!.payload).toEqual({
      stream,
      message_id: id,
      values: { sku: 'a-1', qty: '2' },
      metadata: { shop: 'x' },
    });
    expect(rec.events[0]!.options?.id).toBe(`${stream}:${id}`);
    await waitFor(async () => (await pending(stream)) === 0);
    rec.stop();
    await within(running, 5000);
  });

  it('leaves an entry pending while it is not stored, and reads pending entries first on the next start', async () => {
    const stream = uniqueName('orders');
    const rec = recording();
    rec.ctx.dispatch = async () => {
      throw new ImpulseError('BUS_UNAVAILABLE', 'the bus is away');
    };
    const running = streamSource(stream).start(rec.ctx);
    await waitFor(() => rec.readyCalls > 0);
    const first = await client.redis.xadd(stream, '*', 'n', '1');
    await waitFor(async () => (await pending(stream)) === 1, { message: 'the entry read and held' });
    rec.stop();
    await within(running, 5000);
    expect(await pending(stream)).toBe(1);

    const second = await client.redis.xadd(stream, '*', 'n', '2');
    const rec2 = recording();
    const running2 = streamSource(stream).start(rec2.ctx);
    await waitFor(() => rec2.events.length === 2);
    expect(rec2.events.map((e) => e.options?.id)).toEqual([`${stream}:${first}`, `${stream}:${second}`]);
    await waitFor(async () => (await pending(stream)) === 0);
    rec2.stop();
    await within(running2, 5000);
  });
});

describe('redisStream source across a bus outage', () => {
  it('loses nothing added while NATS was down, and stores each entry once', async () => {
    await using world = await busWorld();
    const stream = uniqueName('orders');
    client.forget(stream);
    await world.run(
      eventSourceFrom(`apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: streams}
spec:
  redisStream:
    orders:
      hostAddress: 127.0.0.1:6379
      streams: [${stream}]
      maxMsgCountPerRead: 50
`),
    );
    await client.redis.xadd(stream, '*', 'n', '0');
    await waitFor(() => world.events.length === 1, { timeoutMs: 10_000 });
    await world.nats.stop();
    const count = 300;
    for (let n = 1; n <= count; n++) await client.redis.xadd(stream, '*', 'n', String(n));
    await world.nats.start();
    await waitFor(() => world.events.length >= count + 1, { timeoutMs: 30_000, message: 'every entry' });
    const seen = world.events.map((e) => (e.data as { values: { n: string } }).values.n);
    expect(new Set(seen).size).toBe(count + 1);
    expect(seen).toHaveLength(count + 1);
    await waitFor(async () => (await pending(stream)) === 0);
  });
});
