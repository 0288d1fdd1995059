import type { JetStreamClient } from '@nats-io/jetstream';
import { errors } from '@nats-io/transport-node';
import { ImpulseError } from '../../core/errors.ts';
import type { CloudEvent } from '../cloudevent.ts';
import { assertMessageSize, encodeEvent } from '../event-codec.ts';
import { assertBusSubject } from '../subjects.ts';
import type { PublishAck, PublishOptions } from '../types.ts';
import type { BusConnection } from './connection.ts';
import { fromNatsError } from './errors.ts';

/** @default 5000 */
export const DEFAULT_PUBLISH_TIMEOUT_MS = 5000;

export interface PublishContext {
  js: JetStreamClient;
  /** The stream, which is also the subject prefix. */
  stream: string;
  connection: BusConnection;
  isClosed(): boolean;
}

/**
 * Publishes one event with a single JetStream request and waits for the stream's ack. Everything
 * that can be decided locally (closed, disconnected, too large) is decided before sending.
 */
export async function publishEvent(
  ctx: PublishContext,
  subject: string,
  event: CloudEvent,
  options: PublishOptions,
): Promise<PublishAck> {
  if (ctx.isClosed()) throw new ImpulseError('CLOSED', 'the event bus is closed');
  if (options.signal?.aborted)
    throw new ImpulseError('CLOSED', 'publish aborted', { cause: options.signal.reason });
  assertBusSubject(ctx.stream, subject, 'subject', false);
  const data = encodeEvent(event);
  assertMessageSize(data, options.msgId, ctx.connection.maxPayload);
  // While disconnected the client would buffer the request and time out; answer at once instead, so a
  // webhook can say 503 without keeping its sender waiting.
  if (!ctx.connection.connected) {
    throw new ImpulseError('BUS_UNAVAILABLE', 'not connected to NATS', { details: { subject } });
  }
  const timeout = options.timeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
  const pending = ctx.js.publish(subject, data, { msgID: options.msgId, timeout });
  try {
    const ack = await (options.signal ? raceAbort(pending, options.signal) : pending);
    return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  } catch (err) {
    if (err instanceof ImpulseError) throw err;
    if (err instanceof errors.TimeoutError) {
      throw new ImpulseError('BUS_UNAVAILABLE', `no ack from JetStream within ${timeout} ms`, {
        cause: err,
        details: { subject },
      });
    }
    const mapped = fromNatsError(err, `publishing to ${subject}`);
    if (mapped.code === 'CLOSED' && !ctx.isClosed()) {
      // The connection, not the bus, is going away (for example a reconnect dropping the request).
      throw new ImpulseError('BUS_UNAVAILABLE', mapped.message, { cause: err });
    }
    throw mapped;
  }
}

function raceAbort<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new ImpulseError('CLOSED', 'publish aborted', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
