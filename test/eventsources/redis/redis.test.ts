import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImpulseError } from '../../../core/errors.ts';
import { createRedisSource } from '../../../eventsources/redis/index.ts';
import { type RedisTestClient, redisTestClient } from '../../support/redis.ts';
import { uniqueName } from '../../support/unique.ts';
import { waitFor, within } from '../../support/wait.ts';
import { recording, sourceInit } from '../source-fixture.ts';

let client: RedisTestClient;
beforeEach(async () => {
  client = await redisTestClient();
});
afterEach(() => client.close());

describe('redis (pub/sub) source', () => {
  it('hands over {channel, pattern, body}, subscribing globs as patterns', async () => {
    const prefix = uniqueName('news');
    const driver = createRedisSource(
      sourceInit('redis', {
        hostAddress: '127.0.0.1:6379',
        channels: [`${prefix}.exact`, `${prefix}.sport.*`],
        jsonBody: true,
        metadata: { k: 'v' },
      }),
    );
    const rec = recording();
    const running = driver.start(rec.ctx);
    await waitFor(() => rec.readyCalls > 0);
    await client.redis.publish(`${prefix}.exact`, '{"a":1}');
    await client.redis.publish(`${prefix}.sport.chess`, '{"b":2}');
    await waitFor(() => rec.events.length === 2);
    expect(rec.events.map((e) => e.payload)).toEqual([
      { channel: `${prefix}.exact`, pattern: '', body: { a: 1 }, metadata: { k: 'v' } },
      {
        channel: `${prefix}.sport.chess`,
        pattern: `${prefix}.sport.*`,
        body: { b: 2 },
        metadata: { k: 'v' },
      },
    ]);
    rec.stop();
    await within(running, 5000);
  });

  it('keeps a text body as a string without jsonBody', async () => {
    const channel = uniqueName('plain');
    const driver = createRedisSource(
      sourceInit('redis', { hostAddress: '127.0.0.1:6379', channels: [channel] }),
    );
    const rec = recording();
    const running = driver.start(rec.ctx);
    await waitFor(() => rec.readyCalls > 0);
    await client.redis.publish(channel, 'hello world');
    await waitFor(() => rec.events.length === 1);
    expect(rec.events[0]!.payload).toEqual({ channel, pattern: '', body: 'hello world' });
    rec.stop();
    await within(running, 5000);
  });

  it('counts a message the bus cannot take as dropped (pub/sub is at-most-once)', async () => {
    const channel = uniqueName('lost');
    const driver = createRedisSource(
      sourceInit('redis', { hostAddress: '127.0.0.1:6379', channels: [channel] }),
    );
    const rec = recording();
    rec.ctx.dispatch = async () => {
      throw new ImpulseError('BUS_UNAVAILABLE', 'the bus is away');
    };
    const running = driver.start(rec.ctx);
    await waitFor(() => rec.readyCalls > 0);
    await client.redis.publish(channel, 'one');
    await client.redis.publish(channel, 'two');
    await waitFor(() => rec.dropped === 2);
    rec.stop();
    await within(running, 5000);
  });
});
