import { randomUUID } from 'node:crypto';

/**
 * A CloudEvent 1.0 in structured JSON form, as carried on the bus. Attributes follow Argo Events:
 * `type` is the source type (`webhook`), `source` the EventSource name, `subject` the event name.
 */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: string;
  data: T;
  /** Extension attributes (lower-case alphanumeric names). */
  [extension: string]: unknown;
}

export interface NewEventInput<T> {
  id?: string;
  source: string;
  type: string;
  subject: string;
  time?: Date;
  data: T;
}

export function createCloudEvent<T>(input: NewEventInput<T>): CloudEvent<T> {
  return {
    specversion: '1.0',
    id: input.id ?? uuidv7(),
    source: input.source,
    type: input.type,
    subject: input.subject,
    time: (input.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    data: input.data,
  };
}

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits, so ids sort by creation time.
 */
export function uuidv7(now = Date.now()): string {
  const hex = randomUUID().replaceAll('-', '');
  const ms = now.toString(16).padStart(12, '0');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The JetStream message id of an event: `<eventSourceName>/<eventName>/<id>`. */
export function messageId(eventSourceName: string, eventName: string, id: string): string {
  return `${eventSourceName}/${eventName}/${id}`;
}
