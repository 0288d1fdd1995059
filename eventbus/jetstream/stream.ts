import {
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { ImpulseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { busSubjects } from '../subjects.ts';
import { fromNatsError, isNotFound } from './errors.ts';

/** The settings a process uses when it creates a missing stream (ARCHITECTURE.md, "The EventBus"). */
export interface StreamSettings {
  /** @default 'file' */
  storage: 'file' | 'memory';
  /** Events older than this are removed. @default 72 hours */
  maxAgeMs: number;
  /** The stream's size bound; when reached, publishing fails (discard `new`). @default 1 GiB */
  maxBytes: number;
  /** Publishes with a message id seen within this window are stored once. @default 5 minutes */
  duplicateWindowMs: number;
  /** @default 1 */
  replicas: number;
  /** @default 'limits' */
  retention?: 'limits' | 'interest' | 'workqueue';
  /** What a full stream does: refuse new events, or evict the oldest. @default 'new' */
  discard?: 'new' | 'old';
  /** The stream's bound in messages; -1 for none. @default -1 */
  maxMsgs?: number;
  /** The largest message the stream stores; -1 for the server's max_payload. @default -1 */
  maxMsgSize?: number;
}

export const DEFAULT_STREAM_SETTINGS: Readonly<StreamSettings> = Object.freeze({
  storage: 'file',
  maxAgeMs: 72 * 60 * 60 * 1000,
  maxBytes: 1024 * 1024 * 1024,
  duplicateWindowMs: 5 * 60 * 1000,
  replicas: 1,
});

const RETENTION = {
  limits: RetentionPolicy.Limits,
  interest: RetentionPolicy.Interest,
  workqueue: RetentionPolicy.Workqueue,
} as const;

/** The JetStream configuration of the stream of bus `name`. */
export function streamConfig(
  name: string,
  settings: StreamSettings,
): Partial<StreamConfig> & { name: string } {
  return {
    name,
    subjects: [busSubjects(name)],
    storage: settings.storage === 'memory' ? StorageType.Memory : StorageType.File,
    retention: RETENTION[settings.retention ?? 'limits'],
    max_age: nanos(settings.maxAgeMs),
    max_bytes: settings.maxBytes,
    // Full means publishing fails (503 to the sender, who retries) rather than unread events vanishing.
    discard: settings.discard === 'old' ? DiscardPolicy.Old : DiscardPolicy.New,
    duplicate_window: nanos(settings.duplicateWindowMs),
    num_replicas: settings.replicas,
    max_msgs: settings.maxMsgs ?? -1,
    max_msg_size: settings.maxMsgSize ?? -1,
  };
}

/** A setting of a stream, by its `StreamSettings` name (`subjects`: the bus's own subjects). */
export type StreamSetting = keyof StreamSettings | 'subjects';

/** Where each managed setting lives in JetStream's configuration. */
const FIELDS: Record<StreamSetting, keyof StreamConfig> = {
  subjects: 'subjects',
  storage: 'storage',
  retention: 'retention',
  maxAgeMs: 'max_age',
  maxBytes: 'max_bytes',
  discard: 'discard',
  duplicateWindowMs: 'duplicate_window',
  replicas: 'num_replicas',
  maxMsgs: 'max_msgs',
  maxMsgSize: 'max_msg_size',
};

/** What `ensureStream` found and did. */
export interface StreamOutcome {
  result: 'created' | 'updated' | 'unchanged';
  /** The settings that differed from the wanted ones (changed when `updated`; kept otherwise). */
  differs: StreamSetting[];
}

export interface EnsureStreamOptions {
  /**
   * Change an existing stream whose settings differ (the controller); otherwise an existing stream
   * is left exactly as it is (processes). With it, JetStream's refusals are `INVALID_INPUT` errors
   * (`details.setting` names the setting when known), since retrying them cannot help.
   */
  update?: boolean;
}

/**
 * Creates the stream of bus `name` when it is missing. An existing stream is left exactly as it is,
 * since the controller owns its configuration, unless `update` asks to bring it to `settings`.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  name: string,
  settings: StreamSettings,
  logger: Logger,
  options: EnsureStreamOptions = {},
): Promise<StreamOutcome> {
  const wanted = streamConfig(name, settings);
  let current: StreamConfig | undefined;
  try {
    current = (await jsm.streams.info(name)).config;
  } catch (err) {
    if (!isNotFound(err)) throw fromNatsError(err, `reading stream ${name}`);
  }
  if (current) {
    const differs = differences(current, wanted);
    if (!options.update || differs.length === 0) return { result: 'unchanged', differs };
    assertChangeable(name, current, wanted);
    const { name: _, storage: __, ...changes } = wanted;
    try {
      await jsm.streams.update(name, changes);
    } catch (err) {
      throw refusal(err, `updating stream ${name}`);
    }
    logger.info({ stream: name, changed: differs }, 'updated stream');
    return { result: 'updated', differs };
  }
  try {
    await jsm.streams.add(wanted);
    logger.info({ stream: name }, 'created stream');
    return { result: 'created', differs: [] };
  } catch (err) {
    // Another process may have created it in between; that one is as good as ours.
    try {
      await jsm.streams.info(name);
      return { result: 'unchanged', differs: [] };
    } catch {
      throw options.update
        ? refusal(err, `creating stream ${name}`)
        : fromNatsError(err, `creating stream ${name}`);
    }
  }
}

/** The managed settings in which `current` differs from `wanted`. */
function differences(current: StreamConfig, wanted: Partial<StreamConfig>): StreamSetting[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return (Object.keys(FIELDS) as StreamSetting[]).filter((setting) => {
    const field = FIELDS[setting];
    const value = current[field];
    // A server too old to know a field does not report it; nothing to compare then.
    return value !== undefined && !same(value, wanted[field]);
  });
}

/** JetStream keeps a stream's storage type, and its retention to or from work queue, for good. */
function assertChangeable(name: string, current: StreamConfig, wanted: Partial<StreamConfig>): void {
  const fixed = (setting: StreamSetting, from: unknown, to: unknown) =>
    new ImpulseError(
      'INVALID_INPUT',
      `stream ${name}: JetStream cannot change ${setting} of an existing stream (from ${from} to ${to})`,
      { details: { setting, from, to } },
    );
  if (current.storage !== wanted.storage) throw fixed('storage', current.storage, wanted.storage);
  const queue = RetentionPolicy.Workqueue;
  if (current.retention !== wanted.retention && (current.retention === queue || wanted.retention === queue))
    throw fixed('retention', current.retention, wanted.retention);
}

/** A server's answer refusing a change is permanent; anything else (no answer) is the bus being away. */
function refusal(err: unknown, context: string): ImpulseError {
  if (!(err instanceof JetStreamApiError)) return fromNatsError(err, context);
  return new ImpulseError('INVALID_INPUT', `${context}: JetStream refused: ${err.message}`, {
    cause: err,
    details: { apiCode: err.code },
  });
}
