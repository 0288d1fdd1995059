import type { Zone } from './zone.ts';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * An instant as Go's `time.Time.String()` prints it in `zone`, the form of Argo Events' calendar
 * `eventTime`: `2026-01-02 15:04:05 +0100 CET`, with a fraction only when there is one
 * (`15:04:05.25`), and without Go's monotonic-clock suffix (`m=+0.001`).
 */
export function formatGoTime(instantMs: number, zone: Zone): string {
  const offset = zone.offsetAt(instantMs);
  const local = new Date(instantMs + offset);
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const ms = local.getUTCMilliseconds();
  const fraction = ms === 0 ? '' : `.${pad(ms, 3).replace(/0+$/, '')}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${fraction}`;
  const minutes = Math.abs(offset) / 60_000;
  const numeric = `${offset < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}${pad(minutes % 60)}`;
  return `${date} ${time} ${numeric} ${zone.abbreviationAt(instantMs)}`;
}
