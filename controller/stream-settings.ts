import { durationToMs, formatDuration } from '../core/duration.ts';
import { readStreamConfig } from '../crds/index.ts';
import { DEFAULT_STREAM_SETTINGS, type StreamSetting, type StreamSettings } from '../eventbus/index.ts';

/** An EventBus's stream settings, resolved once from `streamConfig` over the defaults. */
export interface ResolvedStream {
  /** What the controller provisions. */
  settings: StreamSettings;
  /** The same in `streamConfig`'s keys and units (`maxAge: 72h`), for `status.config`. */
  config: Record<string, unknown>;
}

/** The `streamConfig` key of each stream setting, for messages that name the field to change. */
export const STREAM_CONFIG_KEYS: Record<StreamSetting, string> = {
  subjects: 'subjects',
  storage: 'storage',
  retention: 'retention',
  maxAgeMs: 'maxAge',
  maxBytes: 'maxBytes',
  discard: 'discard',
  duplicateWindowMs: 'duplicates',
  replicas: 'replicas',
  maxMsgs: 'maxMsgs',
  maxMsgSize: 'maxMsgSize',
};

// Argo Events writes the policies as Go enum numbers (`retention: 0`, `discard: 0`).
const RETENTIONS = ['limits', 'interest', 'workqueue'] as const;
const DISCARDS = ['old', 'new'] as const;
const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/**
 * Reads Argo's `streamConfig` (a YAML string or a map; `raw` undefined for none) over the defaults of
 * ARCHITECTURE.md's EventBus table, `replicas` being the bus's default. Values are read as Argo writes
 * them (`maxBytes: 1GB`, `maxMsgs: 1e6`, `duplicates: 300s`, `retention: 0`). `path` is the field's
 * place (`spec.jetstreamExotic.streamConfig`) for problems; `busName` is the stream's name, which
 * Impulse does not let `streamName` change (every process finds the stream by the EventBus name).
 */
export function resolveStreamConfig(
  raw: unknown,
  replicas: number,
  path: string,
  busName: string,
): { stream: ResolvedStream } | { problem: string } {
  const read = raw === undefined ? { config: {} } : readStreamConfig(raw);
  if (!read.config) return { problem: `${path}: ${read.error ?? 'is not readable'}` };
  const given = read.config;
  const problems: string[] = [];
  const settings: StreamSettings = {
    ...DEFAULT_STREAM_SETTINGS,
    replicas,
    retention: 'limits',
    discard: 'new',
    maxMsgs: -1,
    maxMsgSize: -1,
  };
  const take = <T>(
    key: string,
    parse: (value: unknown) => T | undefined,
    expected: string,
  ): T | undefined => {
    const value = given[key];
    if (value === undefined || value === null) return undefined;
    const parsed = parse(value);
    if (parsed === undefined)
      problems.push(`${path}.${key}: expected ${expected}, found ${JSON.stringify(value)}`);
    return parsed;
  };
  const duration = (value: unknown) => {
    const ms = typeof value === 'string' || typeof value === 'number' ? durationToMs(value) : undefined;
    return ms !== undefined && ms >= 0 ? ms : undefined;
  };
  const maxAgeMs = take('maxAge', duration, 'a Go duration such as "72h" (0 for no limit)');
  const duplicateWindowMs = take('duplicates', duration, 'a Go duration such as "5m"');
  const maxBytes = take(
    'maxBytes',
    readBytes,
    'a size such as 1073741824, "512MB" or "1Gi" (-1 for no limit)',
  );
  const maxMsgs = take('maxMsgs', readCount, 'a whole number such as 1000000 or 1e6 (-1 for no limit)');
  const maxMsgSize = take('maxMsgSize', readCount, 'a whole number of bytes (-1 for the server limit)');
  const wantedReplicas = take(
    'replicas',
    (v) => (Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 5 ? (v as number) : undefined),
    'a whole number from 1 to 5',
  );
  const retention = take(
    'retention',
    (v) => readPolicy(v, RETENTIONS),
    'limits, interest or workqueue (Argo: 0, 1 or 2)',
  );
  const discard = take('discard', (v) => readPolicy(v, DISCARDS), 'old or new (Argo: 0 or 1)');
  const streamName = given.streamName;
  if (streamName !== undefined && streamName !== busName)
    problems.push(
      `${path}.streamName: Impulse names the stream after the EventBus ("${busName}"), since every process finds it by that name; remove streamName, or name the EventBus ${JSON.stringify(streamName)}`,
    );
  if (problems.length > 0) return { problem: problems.join('; ') };
  Object.assign(
    settings,
    Object.fromEntries(
      Object.entries({
        maxAgeMs,
        duplicateWindowMs,
        maxBytes,
        maxMsgs,
        maxMsgSize,
        retention,
        discard,
      }).filter(([, v]) => v !== undefined),
    ),
    wantedReplicas === undefined ? {} : { replicas: wantedReplicas },
  );
  return { stream: { settings, config: statusConfig(settings) } };
}

/** The defaults, as `status.config` shows them while `streamConfig` cannot be read. */
export function defaultStreamConfig(replicas: number): Record<string, unknown> {
  return statusConfig({ ...DEFAULT_STREAM_SETTINGS, replicas });
}

function statusConfig(s: StreamSettings): Record<string, unknown> {
  return {
    retention: s.retention ?? 'limits',
    discard: s.discard ?? 'new',
    maxAge: formatDuration(s.maxAgeMs),
    maxBytes: s.maxBytes,
    duplicates: formatDuration(s.duplicateWindowMs),
    replicas: s.replicas,
    maxMsgs: s.maxMsgs ?? -1,
    maxMsgSize: s.maxMsgSize ?? -1,
  };
}

function readPolicy<T extends string>(value: unknown, names: readonly T[]): T | undefined {
  if (typeof value === 'number') return names[value];
  if (typeof value !== 'string') return undefined;
  const word = value.toLowerCase().replace(/policy$|^discard/g, '');
  return names.find((n) => n === word);
}

function readCount(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= -1 ? n : undefined;
}

/** Bytes in a size: a number, or digits with a unit (`512MB`, `1Gi`, `1G`; powers of 1024 as NATS reads them). */
function readBytes(value: unknown): number | undefined {
  if (typeof value === 'number') return readCount(value);
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:ib?|b)?$/i.exec(value.trim());
  if (!match) return readCount(value);
  const bytes = Number(match[1]) * (BYTE_UNITS[(match[2] ?? '').toLowerCase()] ?? 1);
  return Number.isSafeInteger(Math.round(bytes)) ? Math.round(bytes) : undefined;
}
