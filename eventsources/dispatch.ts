import { ImpulseError, isImpulseError, toImpulseError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import {
  type CloudEvent,
  createCloudEvent,
  type EventBus,
  eventSubject,
  messageId,
  messageSize,
  uuidv7,
} from '../eventbus/index.ts';
import { compileSourceFilter } from '../sensors/expressions/index.ts';
import type { DispatchOptions, DispatchResult, SourceContext } from './types.ts';

export interface DispatcherOptions {
  bus: EventBus;
  eventSourceName: string;
  /** The CloudEvent `type`: the source type (`webhook`, `calendar`, ...). */
  sourceType: string;
  eventName: string;
  logger: Logger;
  metrics: Metrics;
  /** The event's `filter` block (`{expression}`), if its configuration has one. */
  filter?: unknown;
  /** Where the event sits in the manifest, for errors. @default spec.<sourceType>.<eventName> */
  path?: string;
  /** Give up waiting for the bus's ack after this long (`BUS_UNAVAILABLE`). @default the bus's own */
  publishTimeoutMs?: number;
}

/** The `dispatch` a driver gets: hands one payload to the bus and resolves once it is durable. */
export type Dispatch = SourceContext['dispatch'];

const NO_BYTES = new Uint8Array(0);

/**
 * Builds the dispatch function of one event: wraps a payload in a CloudEvent (`type` the source
 * type, `source` the EventSource, `subject` the event name, `id` the given one or a UUIDv7),
 * publishes it to `<bus>.<eventSourceName>.<eventName>` with message id
 * `<eventSourceName>/<eventName>/<id>`, and resolves after the bus's ack.
 *
 * Rejects with `PAYLOAD_TOO_LARGE` naming the event's size and the bus's `max_payload` (both bus
 * drivers check the size before sending, so nothing too large goes out), and passes the bus's
 * `BUS_UNAVAILABLE` on. Counts
 * `argo_events_events_sent_total`, `..._sent_failed_total` and the processing duration.
 *
 * With a `filter`, the payload is tested first (Argo Events' `filter.expression`, see
 * `compileSourceFilter`): a payload the filter drops is not published, and dispatch resolves with
 * `published: false` (a webhook still answers 200, as in Argo Events, since sending it again would
 * not change the verdict). A filter that fails on a payload drops it with a warning. A filter that
 * does not compile throws `INVALID_MANIFEST` here, at startup.
 */
export function createDispatcher(options: DispatcherOptions): Dispatch {
  const { bus, eventSourceName, sourceType, eventName, logger } = options;
  const path = options.path ?? `spec.${sourceType}.${eventName}`;
  const filter =
    options.filter === undefined
      ? undefined
      : compileSourceFilter(options.filter as { expression?: string }, `${path}.filter`);
  const subject = eventSubject(bus.name, eventSourceName, eventName);
  const labels = { eventsource_name: eventSourceName, event_name: eventName };
  const sent = options.metrics.eventsSent.labels(labels);
  const sentFailed = options.metrics.eventsSentFailed.labels(labels);
  const duration = options.metrics.eventProcessingDuration.labels(labels);

  return async function dispatch(payload: unknown, opts: DispatchOptions = {}): Promise<DispatchResult> {
    const started = performance.now();
    const id = opts.id ?? uuidv7();
    if (filter) {
      const verdict = filter(payload);
      if (!verdict.pass) {
        if (verdict.error)
          logger.warn({ id, reason: verdict.reason }, 'event dropped: the source filter failed on it');
        else if (logger.isLevelEnabled('debug'))
          logger.debug({ id, reason: verdict.reason }, 'event dropped by the source filter');
        return { id, published: false, duplicate: false };
      }
    }
    const msgId = messageId(eventSourceName, eventName, id);
    const event = createCloudEvent({
      id,
      source: eventSourceName,
      type: sourceType,
      subject: eventName,
      data: payload,
      ...(opts.time ? { time: opts.time } : {}),
    });
    try {
      const ack = await bus.publish(subject, event, {
        msgId,
        ...(options.publishTimeoutMs ? { timeoutMs: options.publishTimeoutMs } : {}),
      });
      sent.inc();
      duration.observe(performance.now() - started);
      if (logger.isLevelEnabled('debug'))
        logger.debug({ id, seq: ack.seq, duplicate: ack.duplicate }, 'event stored');
      return { id, published: true, duplicate: ack.duplicate };
    } catch (err) {
      sentFailed.inc();
      const error =
        tooLarge(err, event, msgId, bus.maxPayload) ??
        toImpulseError(err, 'INTERNAL', `publishing event ${msgId}`);
      logger.warn({ id, code: error.code, err: error.message }, 'event not stored');
      throw error;
    }
  };
}

/**
 * Both bus drivers refuse an event over `max_payload` before sending it (`PAYLOAD_TOO_LARGE`), so the
 * request path serializes each event once. This makes the refusal name both numbers whichever
 * layer refused (the driver, or the server for a message the driver could not measure).
 */
function tooLarge(
  err: unknown,
  event: CloudEvent,
  msgId: string,
  maxPayload: number,
): ImpulseError | undefined {
  if (!isImpulseError(err, 'PAYLOAD_TOO_LARGE')) return undefined;
  const reported = err.details?.size;
  const size =
    typeof reported === 'number'
      ? reported
      : // Only the failure path pays for measuring the event as the bus would carry it.
        messageSize(NO_BYTES, msgId) + Buffer.byteLength(JSON.stringify(event));
  return new ImpulseError(
    'PAYLOAD_TOO_LARGE',
    `event of ${size} bytes exceeds the bus's max_payload of ${maxPayload} bytes`,
    { cause: err, details: { size, maxPayload } },
  );
}
