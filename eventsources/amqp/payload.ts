import type { ConsumeMessage } from 'amqplib';
import { formatGoTime, UTC_ZONE } from '../calendar/index.ts';
import { messageBody } from '../queue/message-body.ts';

/** Argo Events' AMQP payload: the message's properties and delivery fields, and its body. */
export interface AmqpPayload {
  contentType: string;
  contentEncoding: string;
  deliveryMode: number;
  priority: number;
  correlationId: string;
  replyTo: string;
  expiration: string;
  messageId: string;
  /** Go's `time.Time` string form; Go's zero time when the message has none. */
  timestamp: string;
  type: string;
  appId: string;
  exchange: string;
  routingKey: string;
  body: unknown;
  metadata?: Record<string, string>;
}

/** What Go prints for a zero `time.Time`, which Argo Events sends for a message without timestamp. */
const GO_ZERO_TIME = '0001-01-01 00:00:00 +0000 UTC';

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

/** Builds the payload; throws `INVALID_INPUT` when `jsonBody` is set and the body is not JSON. */
export function amqpPayload(
  message: ConsumeMessage,
  jsonBody: boolean,
  metadata: Record<string, string> | undefined,
): AmqpPayload {
  const p = message.properties;
  const payload: AmqpPayload = {
    contentType: text(p.contentType),
    contentEncoding: text(p.contentEncoding),
    deliveryMode: Number(p.deliveryMode ?? 0),
    priority: Number(p.priority ?? 0),
    correlationId: text(p.correlationId),
    replyTo: text(p.replyTo),
    expiration: text(p.expiration),
    messageId: text(p.messageId),
    // AMQP timestamps are whole seconds since the epoch.
    timestamp: typeof p.timestamp === 'number' ? formatGoTime(p.timestamp * 1000, UTC_ZONE) : GO_ZERO_TIME,
    type: text(p.type),
    appId: text(p.appId),
    exchange: message.fields.exchange,
    routingKey: message.fields.routingKey,
    body: messageBody(message.content, jsonBody),
  };
  if (metadata) payload.metadata = metadata;
  return payload;
}
