import { createCalendarSource } from '../../../eventsources/calendar/index.ts';
import { type ManualClock, manualClock } from '../../support/manual-clock.ts';
import { runSourceConformance } from '../conformance.ts';
import { sourceInit } from '../source-fixture.ts';

// Replicas of one calendar (a conformance group) share a clock, as replicas share the time.
const clocks = new Map<string, ManualClock>();

runSourceConformance(
  'calendar',
  async (_kind, options = {}) => {
    const group = options.group ?? 'alone';
    const clock = clocks.get(group) ?? manualClock(Date.parse('2026-05-01T00:00:00Z'));
    if (options.group) clocks.set(group, clock);
    const driver = createCalendarSource(
      sourceInit(
        'calendar',
        { interval: '10s' },
        { services: options.leases ? { leases: options.leases } : {} },
      ),
      { clock },
    );
    return {
      start: (ctx) => driver.start(ctx),
      async produce() {
        clock.advance(10_000);
      },
    };
  },
  { broken: false, lease: true },
);
