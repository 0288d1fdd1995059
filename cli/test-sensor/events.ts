import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { ImpulseError } from '../../core/errors.ts';
import { type CloudEvent, createCloudEvent } from '../../eventbus/index.ts';
import type { EventToExplain } from '../../sensors/explain.ts';

/** How to turn a bare payload into the CloudEvent an EventSource would publish. */
export interface BarePayloadOptions {
  /** The EventSource name (CloudEvent `source`). */
  source?: string;
  /** The event name (CloudEvent `subject`). */
  eventName?: string;
  /** The source type (CloudEvent `type`). @default webhook */
  type?: string;
  /** The event time, for bare payloads and CloudEvents without one. @default now */
  time?: Date;
}

/**
 * Reads event files for `impulse test-sensor`. A file holding a JSON object with `specversion` is a
 * CloudEvent as it sits on the bus (it needs `source`, `subject` and `type`; a missing `id` is the
 * file's name, a missing `time` is `--time` or now). Anything else is a bare payload, wrapped as
 * the EventSource named by `source` and `eventName` would wrap it, with the file's name as its id.
 * Throws `INVALID_INPUT` naming the file for anything it cannot use.
 */
export async function readEventFiles(
  files: readonly string[],
  options: BarePayloadOptions = {},
): Promise<EventToExplain[]> {
  const out: EventToExplain[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new ImpulseError(
        'INVALID_INPUT',
        `${file}: cannot read the event file (${(err as Error).message})`,
      );
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new ImpulseError('INVALID_INPUT', `${file}: not valid JSON (${(err as Error).message})`);
    }
    out.push({ label: file, event: toEvent(file, value, options) });
  }
  return out;
}

function toEvent(file: string, value: unknown, options: BarePayloadOptions): CloudEvent {
  const id = basename(file, extname(file));
  const time = options.time ?? new Date();
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'specversion' in value) {
    const event = value as Record<string, unknown>;
    const missing = ['source', 'subject', 'type'].filter(
      (k) => typeof event[k] !== 'string' || event[k] === '',
    );
    if (missing.length > 0) {
      throw new ImpulseError(
        'INVALID_INPUT',
        `${file}: the CloudEvent has no ${missing.join(', ')} (source is the EventSource name, subject the event name, type the source type)`,
      );
    }
    if (
      event.time !== undefined &&
      (typeof event.time !== 'string' || Number.isNaN(Date.parse(event.time)))
    ) {
      throw new ImpulseError(
        'INVALID_INPUT',
        `${file}: the CloudEvent's time ${JSON.stringify(event.time)} is not a time`,
      );
    }
    return {
      ...event,
      specversion: '1.0',
      id: typeof event.id === 'string' && event.id !== '' ? event.id : id,
      time: typeof event.time === 'string' ? event.time : time.toISOString(),
      datacontenttype: typeof event.datacontenttype === 'string' ? event.datacontenttype : 'application/json',
    } as CloudEvent;
  }
  if (!options.source || !options.eventName) {
    throw new ImpulseError(
      'INVALID_INPUT',
      `${file}: not a CloudEvent (no "specversion"); to use it as a bare payload, give --source and --event-name`,
    );
  }
  return createCloudEvent({
    id,
    source: options.source,
    type: options.type ?? 'webhook',
    subject: options.eventName,
    data: value,
    time,
  });
}
