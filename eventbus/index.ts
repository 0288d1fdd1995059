import type { ClientTls } from '../core/client-tls.ts';
import type { Logger } from '../core/logger.ts';
import { createJetStreamBus } from './jetstream/bus.ts';
import type { StreamSettings } from './jetstream/stream.ts';
import { createMemoryBus } from './memory/bus.ts';
import type { EventBus } from './types.ts';

export type { CloudEvent, NewEventInput } from './cloudevent.ts';
export { createCloudEvent, messageId, uuidv7 } from './cloudevent.ts';
export {
  type DeadLetter,
  type DeadLetterEventRef,
  type DeadLetterFilter,
  type DeadLetterInput,
  type DeadLetterQueue,
  deadLetterStream,
  matchesDeadLetter,
} from './dead-letters.ts';
export { decodeEvent, encodeEvent, messageSize } from './event-codec.ts';
export { createJetStreamBus, type JetStreamBusOptions } from './jetstream/bus.ts';
export {
  DEFAULT_STREAM_SETTINGS,
  type EnsureStreamOptions,
  ensureStream,
  type StreamOutcome,
  type StreamSetting,
  type StreamSettings,
} from './jetstream/stream.ts';
export {
  acquireLease,
  DEFAULT_LEASE_TTL_MS,
  LEASE_BUCKET,
  type Lease,
  type LeaseOptions,
} from './lease.ts';
export { createMemoryBus, type MemoryBusOptions } from './memory/bus.ts';
export {
  assertBusSubject,
  assertStreamName,
  assertSubjectToken,
  busSubjects,
  consumerName,
  eventSubject,
  isValidSubjectToken,
  OUTCOMES_TOKEN,
  outcomeSubject,
  REDRIVE_TOKEN,
  redriveSubject,
  subjectMatches,
  subjectTokenProblem,
} from './subjects.ts';
export type {
  BusMessage,
  EventBus,
  KvEntry,
  KvOptions,
  KvStore,
  PublishAck,
  PublishOptions,
  SubscribeOptions,
  Subscription,
} from './types.ts';

/** The bus a process uses when nothing names one. */
export const DEFAULT_BUS_URL = 'nats://127.0.0.1:4222';

export interface EventBusOptions {
  /** `nats://...` (one or a comma-separated list) or `memory://`. @default nats://127.0.0.1:4222 */
  url?: string;
  /** The EventBus name: stream name and subject prefix. */
  name: string;
  /** A NATS `.creds` file (jetstream only). */
  credentialsFile?: string;
  /** A `.creds` file's content, e.g. from a secret (jetstream only). */
  credentials?: string;
  /** Client TLS: a private CA, client certificates (jetstream only). */
  tls?: ClientTls;
  /** Where `tls` came from (an environment variable, an EventBus field), named in errors. */
  tlsSetting?: string;
  logger?: Logger;
  /** Settings for creating a missing stream (jetstream only). */
  streamDefaults?: Partial<StreamSettings>;
  /** Stops waiting for NATS at startup (jetstream only). */
  signal?: AbortSignal;
}

/**
 * Opens the bus that `url` names: the memory driver for `memory://`, otherwise JetStream (waiting
 * for the server as `createJetStreamBus` does).
 */
export async function createEventBus(options: EventBusOptions): Promise<EventBus & AsyncDisposable> {
  const url = options.url ?? DEFAULT_BUS_URL;
  if (url.startsWith('memory:')) {
    return createMemoryBus({ name: options.name, logger: options.logger });
  }
  return createJetStreamBus({ ...options, url });
}
