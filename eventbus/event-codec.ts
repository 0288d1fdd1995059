import { ImpulseError } from '../core/errors.ts';
import type { CloudEvent } from './cloudevent.ts';

/**
 * The wire form of events on the bus: a CloudEvent in structured JSON mode, UTF-8. Both drivers use
 * it, so the memory bus sees exactly what JetStream would carry (dates become strings, `undefined`
 * disappears, sizes are the same).
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Serializes an event to the bytes stored on the bus. */
export function encodeEvent(event: CloudEvent): Uint8Array {
  return encoder.encode(JSON.stringify(event));
}

/**
 * The bytes a message of `data` published with message id `msgId` counts against the bus's
 * `max_payload`: the body plus the `Nats-Msg-Id` header block (`NATS/1.0\r\n`,
 * `Nats-Msg-Id: <id>\r\n`, `\r\n`). Both drivers apply the same rule.
 */
export function messageSize(data: Uint8Array, msgId: string): number {
  return data.length + 27 + Buffer.byteLength(msgId);
}

/** Throws `PAYLOAD_TOO_LARGE`, naming both sizes, when the message would exceed `maxPayload`. */
export function assertMessageSize(data: Uint8Array, msgId: string, maxPayload: number): void {
  const size = messageSize(data, msgId);
  if (size > maxPayload) {
    throw new ImpulseError(
      'PAYLOAD_TOO_LARGE',
      `event of ${size} bytes exceeds the bus's max_payload of ${maxPayload} bytes`,
      { details: { size, maxPayload } },
    );
  }
}

/**
 * Parses the bytes of a message into a CloudEvent. Throws `INVALID_INPUT` when they are not UTF-8
 * JSON of an object with the required CloudEvent attributes (`specversion` 1.0, `id`, `source`,
 * `type`).
 */
export function decodeEvent(data: Uint8Array): CloudEvent {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch (err) {
    throw new ImpulseError('INVALID_INPUT', 'message body is not UTF-8 JSON', { cause: err });
  }
  const problem = cloudEventProblem(value);
  if (problem) throw new ImpulseError('INVALID_INPUT', `message body is not a CloudEvent: ${problem}`);
  return value as CloudEvent;
}

function cloudEventProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const record = value as Record<string, unknown>;
  if (record.specversion !== '1.0') return 'specversion is not "1.0"';
  for (const attribute of ['id', 'source', 'type'] as const) {
    const v = record[attribute];
    if (typeof v !== 'string' || v.length === 0) return `${attribute} is missing or not a string`;
  }
  return undefined;
}
