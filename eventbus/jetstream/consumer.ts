import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { ImpulseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type { SubscribeOptions } from '../types.ts';
import { fromNatsError, isNotFound } from './errors.ts';

/** The settings of a durable consumer, defaults applied. */
export interface ConsumerSettings {
  durable: string;
  filterSubject: string;
  ackWaitMs: number;
  maxDeliver: number;
  maxAckPending: number;
}

export function consumerSettings(options: SubscribeOptions): ConsumerSettings {
  return {
    durable: options.durable,
    filterSubject: options.filterSubject,
    ackWaitMs: options.ackWaitMs ?? 30_000,
    maxDeliver: options.maxDeliver ?? -1,
    maxAckPending: options.maxAckPending ?? 256,
  };
}

/**
 * Creates the durable pull consumer with "deliver new" when it is missing, or resumes the existing
 * one. Settings the caller may change between runs (ack wait, max deliver, max ack pending, filter)
 * are brought up to date on an existing consumer; its position is never touched.
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  settings: ConsumerSettings,
  logger: Logger,
): Promise<ConsumerInfo> {
  const wanted = {
    ack_wait: nanos(settings.ackWaitMs),
    max_deliver: settings.maxDeliver,
    max_ack_pending: settings.maxAckPending,
    filter_subject: settings.filterSubject,
  } satisfies Partial<ConsumerConfig>;
  const existing = await consumerInfo(jsm, stream, settings.durable);
  if (existing) return updateIfChanged(jsm, stream, existing, wanted, logger);
  try {
    const info = await jsm.consumers.add(stream, {
      ...wanted,
      durable_name: settings.durable,
      deliver_policy: DeliverPolicy.New,
      ack_policy: AckPolicy.Explicit,
    });
    logger.info({ stream, durable: settings.durable, filter: settings.filterSubject }, 'created consumer');
    return info;
  } catch (err) {
    // Another replica may have created it in between; resume that one.
    const raced = await consumerInfo(jsm, stream, settings.durable).catch(() => null);
    if (raced) return updateIfChanged(jsm, stream, raced, wanted, logger);
    throw fromNatsError(err, `creating consumer ${settings.durable}`);
  }
}

async function consumerInfo(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
): Promise<ConsumerInfo | null> {
  try {
    return await jsm.consumers.info(stream, durable);
  } catch (err) {
    if (isNotFound(err)) return null;
    throw fromNatsError(err, `reading consumer ${durable}`);
  }
}

async function updateIfChanged(
  jsm: JetStreamManager,
  stream: string,
  info: ConsumerInfo,
  wanted: Partial<ConsumerConfig>,
  logger: Logger,
): Promise<ConsumerInfo> {
  const current = info.config as unknown as Record<string, unknown>;
  const changed = Object.fromEntries(
    Object.entries(wanted).filter(([key, value]) => (current[key] ?? defaultOf(key)) !== value),
  );
  if (Object.keys(changed).length === 0) return info;
  try {
    const updated = await jsm.consumers.update(stream, info.name, changed);
    logger.info({ stream, durable: info.name, changed: Object.keys(changed) }, 'updated consumer settings');
    return updated;
  } catch (err) {
    throw new ImpulseError(
      'INVALID_STATE',
      `consumer ${info.name} exists with other settings (${Object.keys(changed).join(', ')}) and cannot be updated`,
      { cause: err, details: { stream, durable: info.name } },
    );
  }
}

/** What the server means when it leaves a field out of a consumer's configuration. */
function defaultOf(key: string): unknown {
  return key === 'max_deliver' ? -1 : undefined;
}
