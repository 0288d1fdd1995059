import { pino } from 'pino';

/** Structured JSON-lines logger; the level comes from `LOG_LEVEL` (default `info`). */
export type Logger = pino.Logger;

export interface LoggerOptions {
  name?: string;
  level?: string;
  /** Where lines go; defaults to standard output. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  const base = options.name ? { name: options.name } : {};
  return pino(
    {
      level: level.toLowerCase(),
      base,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that drops everything, for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
