import { describe, expect, it } from 'vitest';
import { waitFor } from '../../support/wait.ts';
import { busWorld, eventSourceFrom } from '../bus-fixture.ts';

describe('calendar source on the real clock', () => {
  it('fires a 1s interval on time: each tick stored within a fraction of a second of its schedule', async () => {
    await using world = await busWorld();
    await world.run(
      eventSourceFrom(`apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: clock}
spec:
  calendar:
    every-second:
      interval: 1s
      metadata: {purpose: test}
`),
    );
    await waitFor(() => world.events.length >= 3, { timeoutMs: 6000, message: 'three ticks' });
    const ticks = world.events.slice(0, 3);
    const scheduled = ticks.map((e) => Date.parse(e.id));
    expect(scheduled.slice(1).map((t, i) => t - scheduled[i]!)).toEqual([1000, 1000]);
    for (const tick of ticks) {
      expect(tick.type).toBe('calendar');
      expect(tick.subject).toBe('every-second');
      expect(tick.data).toEqual({
        eventTime: new Date(Date.parse(tick.id))
          .toISOString()
          .replace('T', ' ')
          .replace('.000Z', ' +0000 UTC'),
        metadata: { purpose: 'test' },
      });
      // Published (the CloudEvent's time) shortly after the scheduled second, never before it.
      const lateness = Date.parse(tick.time!) - Date.parse(tick.id);
      expect(lateness).toBeGreaterThanOrEqual(0);
      expect(lateness).toBeLessThan(500);
    }
  });
});
