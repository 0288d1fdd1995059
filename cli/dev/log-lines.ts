/** Fields every log line has, which the dev view shows in its own way. */
const SHOWN = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname']);

/**
 * Turns one JSON log line into `HH:MM:SS level [prefix] message key=value ...` for people; a line
 * that is not JSON is shown as it is.
 */
export function prettyLogLine(prefix: string, line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `[${prefix}] ${line}`;
  }
  if (record === null || typeof record !== 'object') return `[${prefix}] ${line}`;
  const time = typeof record.time === 'string' ? record.time.slice(11, 19) : '';
  const level = String(record.level ?? 'info').padEnd(5);
  const rest = Object.entries(record)
    .filter(([k]) => !SHOWN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${level} [${prefix}] ${String(record.msg ?? '')}${rest ? ` ${rest}` : ''}`;
}
