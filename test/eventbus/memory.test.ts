import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEventBus, createMemoryBus } from '../../eventbus/index.ts';
import { runBusConformance } from './conformance.ts';

runBusConformance('memory', async () => ({ bus: createMemoryBus({ name: `t${randomUUID().slice(0, 8)}` }) }));

describe('memory bus', () => {
  it('is what createEventBus opens for a memory:// url', async () => {
    await using bus = await createEventBus({ url: 'memory://', name: 'dev' });
    expect(bus.driver).toBe('memory');
    expect(bus.maxPayload).toBe(1024 * 1024);
  });

  it('honours a configured maxPayload', async () => {
    await using bus = createMemoryBus({ name: 'small', maxPayload: 2048 });
    expect(bus.maxPayload).toBe(2048);
  });

  it('rejects a bus name that cannot be a subject token', () => {
    expect(() => createMemoryBus({ name: 'a.b' })).toThrow(/must not contain/);
  });
});
