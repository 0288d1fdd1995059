import { isImpulseError } from '../../core/errors.ts';
import { runUnderLease, sourceLeaseKey } from '../active-passive.ts';
import { createHold } from '../queue/hold.ts';
import type { EventSourceDriver, SourceContext, SourceInit } from '../types.ts';
import { type Clock, systemClock } from './clock.ts';
import { type CalendarConfig, type ResolvedCalendar, resolveCalendar } from './config.ts';
import { configMapTickStore, defaultKubeConfig, type KubeConfigLoader } from './configmap-store.ts';
import { formatGoTime } from './go-time.ts';
import { calendarBucket, eachTickStore, kvTickStore, type TickStore } from './last-tick.ts';

export { type Clock, systemClock } from './clock.ts';
export { formatGoTime } from './go-time.ts';
export { cronSchedule, intervalSchedule, type Schedule } from './schedule.ts';
export { loadZone, UTC_ZONE, type Zone } from './zone.ts';

/** Argo Events' calendar payload. */
export interface CalendarPayload {
  /** The scheduled time in Go's `time.Time` string form, in the calendar's time zone. */
  eventTime: string;
  metadata?: Record<string, string>;
}

export interface CalendarOptions {
  /** @default the system clock */
  clock?: Clock;
  /** Where `persistence.configMap` finds the Kubernetes API. @default in a pod, or `KUBECONFIG` */
  kubeConfig?: KubeConfigLoader;
}

/**
 * The `calendar` source: ticks on a cron `schedule` or every `interval`, in `timezone`, skipping
 * `exclusionDates`. Each tick's event id is its scheduled time (ISO 8601), so a restart, a catch-up
 * or a second replica never stores one tick twice, and only the lease holder schedules. A tick the
 * bus cannot take is held until it can; ticks that came due meanwhile fire right after, in order.
 *
 * With `persistence.catchup.enabled` the last fired tick is kept in the bus's KV (bucket
 * `<bus>-calendar`), and after a restart the ticks missed since then (at most `maxDuration` back)
 * fire at once, in order. With `persistence.configMap`, where a Kubernetes API is reachable, each
 * tick is also written to that ConfigMap as Argo Events writes it, and catch-up starts from the
 * tick found there when the KV has none yet.
 */
export function createCalendarSource(
  init: SourceInit<CalendarConfig>,
  options: CalendarOptions = {},
): EventSourceDriver {
  const calendar = resolveCalendar(init.config, init.path);
  const clock = options.clock ?? systemClock();
  const { kv, busName, leases } = init.services;
  const id = `${init.namespace}.${init.eventSourceName}.${init.eventName}`;
  const stores: TickStore[] = [];
  if (calendar.catchup && kv) {
    stores.push(kvTickStore(() => kv(calendarBucket(busName ?? 'default')), id, init.logger));
  } else if (calendar.catchup) {
    init.logger.warn('persistence.catchup needs the event bus KV, which this process lacks; no catch-up');
  }
  if (calendar.configMap) {
    stores.push(
      configMapTickStore({
        ...calendar.configMap,
        namespace: init.namespace,
        key: `${init.eventSourceName}.${init.eventName}`,
        ...(calendar.metadata ? { metadata: calendar.metadata } : {}),
        kubeConfig: options.kubeConfig ?? defaultKubeConfig,
        logger: init.logger,
      }),
    );
  }
  const store = eachTickStore(stores);
  return {
    start: (ctx) =>
      runUnderLease({
        ctx,
        leases,
        key: sourceLeaseKey(init.namespace, init.eventSourceName, init.eventName),
        work: (signal) => tick(ctx, signal, calendar, clock, store),
      }),
  };
}

async function tick(
  ctx: SourceContext,
  signal: AbortSignal,
  calendar: ResolvedCalendar,
  clock: Clock,
  store: TickStore | undefined,
): Promise<void> {
  const hold = createHold(ctx, signal);
  let last = await startingPoint(ctx, signal, calendar, clock, store);
  if (signal.aborted) return;
  ctx.ready();
  const first = calendar.schedule.next(last);
  ctx.logger.info(
    { schedule: calendar.describe, next: first === undefined ? null : new Date(first).toISOString() },
    'calendar running',
  );
  while (!signal.aborted) {
    const due = calendar.schedule.next(last);
    if (due === undefined) {
      ctx.logger.error({ schedule: calendar.describe }, 'the schedule has no further ticks');
      await clock.sleepUntil(Number.MAX_SAFE_INTEGER, signal);
      return;
    }
    if (!(await clock.sleepUntil(due, signal))) return;
    const payload: CalendarPayload = { eventTime: formatGoTime(due, calendar.zone) };
    if (calendar.metadata) payload.metadata = calendar.metadata;
    try {
      await hold.dispatch(payload, { id: new Date(due).toISOString() });
    } catch (err) {
      // Stopped while the bus was away: the tick was not stored, and catch-up will fire it.
      if (signal.aborted && isImpulseError(err, 'CLOSED')) return;
      ctx.rejected();
      ctx.logger.error({ err, tick: new Date(due).toISOString() }, 'calendar tick not stored; skipped');
    }
    last = due;
    await store?.write(due, payload.eventTime);
  }
}

/** Where the schedule starts: now, or with catch-up the last stored tick (within `maxDuration`). */
async function startingPoint(
  ctx: SourceContext,
  signal: AbortSignal,
  calendar: ResolvedCalendar,
  clock: Clock,
  store: TickStore | undefined,
): Promise<number> {
  if (!calendar.catchup || !store) return clock.now();
  const stored = await store.read(signal);
  const now = clock.now();
  if (stored === undefined) return now;
  const { maxDurationMs } = calendar.catchup;
  const from = maxDurationMs === undefined ? stored : Math.max(stored, now - maxDurationMs);
  if ((calendar.schedule.next(from) ?? Number.POSITIVE_INFINITY) <= now) {
    ctx.logger.info(
      { lastTick: new Date(stored).toISOString(), from: new Date(from).toISOString() },
      'catching up the ticks missed while stopped',
    );
  }
  return from;
}
