import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../eventbus/index.ts';
import { runCli } from '../support/cli.ts';
import { type HttpSink, startHttpSink } from '../support/http-sink.ts';
import { removeBusTraces, SHARED_NATS_URL, testBusName } from '../support/jetstream.ts';
import { waitFor } from '../support/wait.ts';
import { forwardingSensor, SpineWorld } from './fixture.ts';

let world: SpineWorld;
let sink: HttpSink;

beforeEach(async () => {
  world = new SpineWorld(testBusName(), SHARED_NATS_URL);
  await world.setup();
  sink = await startHttpSink();
});
afterEach(async () => {
  await world[Symbol.asyncDispose]();
  await sink.close();
  await removeBusTraces(world.busName);
});

const valueIn = (r: { json: unknown }) => (r.json as { a: string }).a;

describe('dead letters', () => {
  it('retries a transient failure to success, dead-letters a permanent one at once, and redrives it once fixed', async () => {
    const name = `dlq${randomUUID().slice(0, 6)}`;
    await world.run('eventsource', await world.write('es.yaml', world.webhookEventSource({ a: '/a' })));
    await world.run(
      'sensor',
      await world.write(
        'sensor.yaml',
        forwardingSensor(sink.url, {
          name,
          trigger: '      retryStrategy: {steps: 3, duration: 20ms}',
        }),
      ),
    );
    let flaky = 2;
    let fixed = false;
    sink.respond = (req) => {
      if (valueIn(req) === 'flaky') return flaky-- > 0 ? 503 : 200;
      if (valueIn(req) === 'bad') return fixed ? 200 : 400;
      return 200;
    };
    const dlq = (...args: string[]) =>
      runCli(['dlq', ...args, '--sensor', name, '--bus', SHARED_NATS_URL, '--bus-name', world.busName]);

    expect((await world.post('/a', { value: 'flaky' })).status).toBe(200);
    await waitFor(() => sink.received.filter((r) => valueIn(r) === 'flaky').length === 3, {
      timeoutMs: 10_000,
      message: 'three attempts of the flaky event',
    });

    expect((await world.post('/a', { value: 'bad' })).status).toBe(200);
    const listed = await waitFor(
      async () => {
        const r = await dlq('list', '--json');
        const letters = JSON.parse(r.stdout) as DeadLetter[];
        return letters.length > 0 ? letters : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, message: 'a dead letter' },
    );
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({
      sensor: name,
      trigger: 'to-sink',
      reason: 'failed',
      attempts: 1,
      error: { code: 'PERMANENT' },
    });
    expect((listed[0]!.events.a!.data as { body: unknown }).body).toEqual({ value: 'bad' });
    // Permanent: one attempt, no retries.
    expect(sink.received.filter((r) => valueIn(r) === 'bad')).toHaveLength(1);
    const table = await dlq('list');
    expect(table.stdout).toContain(`default/${name}`);
    expect(table.stdout).toContain('PERMANENT');

    fixed = true;
    const redrive = await dlq('redrive', '--id', listed[0]!.id);
    expect(redrive.code).toBe(0);
    expect(redrive.stdout).toContain(`redriven: ${listed[0]!.id}`);
    await waitFor(() => sink.received.filter((r) => valueIn(r) === 'bad').length === 2, {
      timeoutMs: 10_000,
      message: 'the redriven firing',
    });
    const bad = sink.received.filter((r) => valueIn(r) === 'bad');
    expect(bad[1]!.headers['idempotency-key']).toBe(listed[0]!.firingId);
    expect((await dlq('list')).stdout).toBe('no dead letters\n');
    expect((await dlq('redrive', '--id', '999')).code).not.toBe(0);
  }, 60_000);
});
