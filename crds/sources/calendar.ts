import { type Static, Type } from '@sinclair/typebox';
import { Metadata } from '../common.ts';
import { Obj, Opt } from '../schema-kit.ts';
import { EventSourceFilter } from './shared.ts';

/** Firing the ticks that were missed while the source was not running. */
export const CalendarCatchup = Obj({
  enabled: Opt(Type.Boolean({ description: 'Fire missed ticks right after a restart.' })),
  maxDuration: Opt(
    Type.String({
      description: 'Only catch up ticks this far back, as a Go duration (e.g. 1h); unset: no limit.',
    }),
  ),
});
export type CalendarCatchup = Static<typeof CalendarCatchup>;

/** Argo keeps the last fired tick in a ConfigMap; these name it. */
export const CalendarConfigMapPersistence = Obj({
  name: Opt(Type.String({ description: 'Name of the ConfigMap that records the last tick.' })),
  createIfNotExist: Opt(Type.Boolean({ description: 'Create the ConfigMap when it is missing.' })),
});
export type CalendarConfigMapPersistence = Static<typeof CalendarConfigMapPersistence>;

export const CalendarPersistence = Obj({
  catchup: Opt(CalendarCatchup),
  configMap: Opt(CalendarConfigMapPersistence),
});
export type CalendarPersistence = Static<typeof CalendarPersistence>;

/** One `spec.calendar.<event>` entry: events on a cron schedule or at a fixed interval. */
export const CalendarEventSource = Obj(
  {
    schedule: Opt(
      Type.String({
        description: 'Five-field cron expression (minute hour day-of-month month day-of-week).',
      }),
    ),
    interval: Opt(
      Type.String({
        description: 'Fixed period as a Go duration (e.g. 30s, 1h); ignored when `schedule` is set.',
      }),
    ),
    exclusionDates: Opt(
      Type.Array(
        Type.String({
          pattern: '^EXDATE:[0-9]{8}T[0-9]{6}Z(,[0-9]{8}T[0-9]{6}Z)*$',
          description: 'RFC 5545 exception dates, e.g. EXDATE:20260101T000000Z; no tick fires on those days.',
        }),
      ),
    ),
    timezone: Opt(
      Type.String({ description: 'IANA time zone the schedule is read in, e.g. Europe/Berlin.' }),
    ),
    metadata: Opt(Metadata),
    persistence: Opt(CalendarPersistence),
    filter: Opt(EventSourceFilter),
    // Argo Events' documentation names `recurrence` but never reads it; it is listed so that semantic
    // validation can reject it with a clear message instead of a generic unknown-field error.
    recurrence: Opt(
      Type.Array(Type.String(), {
        description:
          'RFC 5545 recurrence rules; named in Argo Events documentation but never implemented there.',
      }),
    ),
  },
  'A timer: events on a cron `schedule` or every `interval`.',
);
export type CalendarEventSource = Static<typeof CalendarEventSource>;
