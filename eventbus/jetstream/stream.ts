import {
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
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
}

export const DEFAULT_STREAM_SETTINGS: Readonly<StreamSettings> = Object.freeze({
  storage: 'file',
  maxAgeMs: 72 * 60 * 60 * 1000,
  maxBytes: 1024 * 1024 * 1024,
  duplicateWindowMs: 5 * 60 * 1000,
  replicas: 1,
});

/** The JetStream configuration of the stream of bus `name`. */
export function streamConfig(
  name: string,
  settings: StreamSettings,
): Partial<StreamConfig> & { name: string } {
  return {
    name,
    subjects: [busSubjects(name)],
    storage: settings.storage === 'memory' ? StorageType.Memory : StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(settings.maxAgeMs),
    max_bytes: settings.maxBytes,
    // Full means publishing fails (503 to the sender, who retries) rather than unread events vanishing.
    discard: DiscardPolicy.New,
    duplicate_window: nanos(settings.duplicateWindowMs),
    num_replicas: settings.replicas,
  };
}

/**
 * Creates the stream of bus `name` when it is missing. An existing stream is left exactly as it is:
 * the controller owns its configuration.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  name: string,
  settings: StreamSettings,
  logger: Logger,
): Promise<void> {
  try {
    await jsm.streams.info(name);
    return;
  } catch (err) {
    if (!isNotFound(err)) throw fromNatsError(err, `reading stream ${name}`);
  }
  try {
    await jsm.streams.add(streamConfig(name, settings));
    logger.info({ stream: name }, 'created stream');
  } catch (err) {
    // Another process may have created it in between; that one is as good as ours.
    try {
      await jsm.streams.info(name);
    } catch {
      throw fromNatsError(err, `creating stream ${name}`);
    }
  }
}
