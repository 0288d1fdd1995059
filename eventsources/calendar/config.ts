import { parseGoDuration } from '../../core/duration.ts';
import { ImpulseError } from '../../core/errors.ts';
import type { SourceConfig } from '../types.ts';
import { cronSchedule, excludingDates, exclusionDays, intervalSchedule, type Schedule } from './schedule.ts';
import { loadZone, UTC_ZONE, type Zone } from './zone.ts';

export type CalendarConfig = SourceConfig<'calendar'>;

/** A calendar event's configuration, read once. */
export interface ResolvedCalendar {
  schedule: Schedule;
  zone: Zone;
  /** For logs: `cron "30 * * * *" in Europe/Berlin`, `every 10s`. */
  describe: string;
  metadata?: Record<string, string>;
  /** Fire the ticks missed while stopped, at most this far back (undefined: no limit). */
  catchup?: { maxDurationMs: number | undefined };
  /** Argo Events' ConfigMap store, named in the manifest. */
  configMap?: { name: string; createIfNotExist: boolean };
}

/**
 * Reads `spec.calendar.<event>`: `schedule` (wins over `interval`, as in Argo Events), `interval`,
 * `timezone` (default UTC), `exclusionDates`, `metadata` and `persistence`. Errors name the field.
 */
export function resolveCalendar(config: CalendarConfig, path: string): ResolvedCalendar {
  const invalid = (field: string, message: string) =>
    new ImpulseError('INVALID_MANIFEST', `${path}.${field}: ${message}`, {
      details: { path: `${path}.${field}` },
    });
  if (config.recurrence && config.recurrence.length > 0) {
    throw invalid('recurrence', 'is not implemented (Argo Events declares it but never reads it)');
  }
  const zone = config.timezone ? loadZone(config.timezone, `${path}.timezone`) : UTC_ZONE;
  let base: Schedule;
  let describe: string;
  if (config.schedule) {
    base = cronSchedule(config.schedule, zone, `${path}.schedule`);
    describe = `cron "${config.schedule}" in ${zone.name}`;
  } else if (config.interval) {
    const every = parseGoDuration(config.interval);
    if (every === undefined || every <= 0) {
      throw invalid(
        'interval',
        `expected a positive Go duration such as "10s" or "1m30s", found "${config.interval}"`,
      );
    }
    base = intervalSchedule(every);
    describe = `every ${config.interval}`;
  } else {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${path}: a calendar event needs a schedule (cron) or an interval`,
    );
  }
  const days = exclusionDays(config.exclusionDates, `${path}.exclusionDates`);
  const resolved: ResolvedCalendar = { schedule: excludingDates(base, days, zone), zone, describe };
  if (config.metadata && Object.keys(config.metadata).length > 0) resolved.metadata = config.metadata;

  const catchup = config.persistence?.catchup;
  if (catchup?.enabled) {
    let maxDurationMs: number | undefined;
    if (catchup.maxDuration) {
      maxDurationMs = parseGoDuration(catchup.maxDuration);
      if (maxDurationMs === undefined || maxDurationMs < 0) {
        throw invalid(
          'persistence.catchup.maxDuration',
          `expected a Go duration such as "5m", found "${catchup.maxDuration}"`,
        );
      }
    }
    resolved.catchup = { maxDurationMs };
  }
  const configMap = config.persistence?.configMap;
  if (configMap) {
    if (!configMap.name) throw invalid('persistence.configMap.name', 'names the ConfigMap and is required');
    resolved.configMap = { name: configMap.name, createIfNotExist: configMap.createIfNotExist ?? false };
  }
  return resolved;
}
