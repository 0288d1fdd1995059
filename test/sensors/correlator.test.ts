import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.ts';
import { type BusMessage, createCloudEvent, createMemoryBus } from '../../eventbus/index.ts';
import { Correlator } from '../../sensors/correlator.ts';

function message(dependency: string, seq: number, deliveryCount = 1): BusMessage {
  const event = createCloudEvent({
    id: `${dependency}-${seq}`,
    source: 'src',
    type: 'webhook',
    subject: dependency,
    data: {},
  });
  return {
    subject: `test.src.${dependency}`,
    event,
    seq,
    deliveryCount,
    ack: async () => undefined,
    nak: () => undefined,
    working: () => undefined,
    term: () => undefined,
  };
}

describe('correlator', () => {
  it('recognises a redelivered message whose effect is already recorded (its ack was lost)', async () => {
    await using bus = createMemoryBus({ name: 'test' });
    const correlator = new Correlator({
      namespace: 'default',
      sensor: 's',
      trigger: 't',
      kv: await bus.kv('test-correlation'),
      bus,
      logger: silentLogger(),
      condition: (present) => present.has('a') && present.has('b'),
    });
    await correlator.load();
    const signal = new AbortController().signal;

    const held = await correlator.correlate('a', message('a', 1), signal);
    expect(held.kind).toBe('ack-when-durable');
    expect(await correlator.correlate('a', message('a', 1, 2), signal)).toMatchObject({ kind: 'ack' });

    const fired = await correlator.correlate('b', message('b', 2), signal);
    expect(fired.kind).toBe('recorded');
    if (fired.kind !== 'recorded') return;
    await fired.durable;
    expect(Object.keys(fired.firing.events).sort()).toEqual(['a', 'b']);
    // The same b again: its firing is recorded, and it must not be held for the next a.
    expect(await correlator.correlate('b', message('b', 2, 2), signal)).toMatchObject({ kind: 'ack' });
    expect(correlator.records().map((r) => r.id)).toEqual([fired.firing.id]);

    // After a restart, the state says the same.
    const again = new Correlator({
      namespace: 'default',
      sensor: 's',
      trigger: 't',
      kv: await bus.kv('test-correlation'),
      bus,
      logger: silentLogger(),
      condition: (present) => present.has('a') && present.has('b'),
    });
    await again.load();
    expect(await again.correlate('a', message('a', 1, 3), signal)).toMatchObject({ kind: 'ack' });
    const [record] = again.records();
    expect(record?.record.events).toMatchObject({ a: { id: 'a-1', seq: 1 }, b: { id: 'b-2', seq: 2 } });
  });
});
