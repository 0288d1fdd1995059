import {
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { ImpulseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import {
  type DeadLetter,
  type DeadLetterFilter,
  type DeadLetterInput,
  type DeadLetterQueue,
  deadLetterStream,
  matchesDeadLetter,
} from '../dead-letters.ts';
import { assertSubjectToken } from '../subjects.ts';
import type { BusConnection } from './connection.ts';
import { fromNatsError, isNotFound } from './errors.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** @default 1 GiB: when full, adding fails and the message stays unacked, never dropped. */
const MAX_BYTES = 1024 * 1024 * 1024;
const DUPLICATE_WINDOW_MS = 5 * 60 * 1000;

/**
 * Opens the dead-letter stream of bus `bus`, creating it when missing: file storage, no age limit
 * (letters stay until removed), discard `new`, and direct get for listing by subject.
 */
export async function openJetStreamDeadLetters(
  js: JetStreamClient,
  jsm: JetStreamManager,
  connection: BusConnection,
  bus: string,
  logger: Logger,
): Promise<DeadLetterQueue> {
  const stream = deadLetterStream(bus);
  try {
    await jsm.streams.info(stream);
  } catch (err) {
    if (!isNotFound(err)) throw fromNatsError(err, `reading stream ${stream}`);
    try {
      await jsm.streams.add({
        name: stream,
        subjects: [`${stream}.>`],
        storage: StorageType.File,
        retention: RetentionPolicy.Limits,
        max_bytes: MAX_BYTES,
        discard: DiscardPolicy.New,
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
        allow_direct: true,
      });
      logger.info({ stream }, 'created dead-letter stream');
    } catch (addErr) {
      // Another process may have created it in between.
      await jsm.streams.info(stream).catch(() => {
        throw fromNatsError(addErr, `creating stream ${stream}`);
      });
    }
  }
  return new JetStreamDeadLetters(js, jsm, connection, stream);
}

class JetStreamDeadLetters implements DeadLetterQueue {
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #connection: BusConnection;
  readonly #stream: string;

  constructor(js: JetStreamClient, jsm: JetStreamManager, connection: BusConnection, stream: string) {
    this.#js = js;
    this.#jsm = jsm;
    this.#connection = connection;
    this.#stream = stream;
  }

  async add(letter: DeadLetterInput, options: { dedupId: string }): Promise<DeadLetter> {
    for (const [value, what] of [
      [letter.namespace, 'namespace'],
      [letter.sensor, 'sensor'],
      [letter.trigger, 'trigger'],
    ] as const) {
      assertSubjectToken(value, what);
    }
    if (!this.#connection.connected) throw new ImpulseError('BUS_UNAVAILABLE', 'not connected to NATS');
    const at = new Date().toISOString();
    let data = encoder.encode(JSON.stringify({ ...letter, at }));
    // Bodies that do not fit are left out; the stream positions in `refs` still find them.
    if (data.length + 200 > this.#connection.maxPayload) {
      data = encoder.encode(JSON.stringify({ ...letter, events: {}, at }));
    }
    const subject = `${this.#stream}.${letter.namespace}.${letter.sensor}.${letter.trigger}`;
    try {
      const ack = await this.#js.publish(subject, data, { msgID: options.dedupId, timeout: 5000 });
      return { ...letter, id: String(ack.seq), at };
    } catch (err) {
      throw fromNatsError(err, `storing a dead letter in ${this.#stream}`);
    }
  }

  async list(filter: DeadLetterFilter = {}): Promise<DeadLetter[]> {
    const subject = `${this.#stream}.${filter.namespace ?? '*'}.${filter.sensor ?? '*'}.${filter.trigger ?? '*'}`;
    const letters: DeadLetter[] = [];
    let seq = 1;
    try {
      for (;;) {
        const stored = await this.#jsm.direct.getMessage(this.#stream, { seq, next_by_subj: subject });
        if (!stored) break;
        const letter = JSON.parse(decoder.decode(stored.data)) as Omit<DeadLetter, 'id'>;
        if (matchesDeadLetter(letter, filter)) letters.push({ ...letter, id: String(stored.seq) });
        seq = stored.seq + 1;
      }
    } catch (err) {
      throw fromNatsError(err, `listing dead letters in ${this.#stream}`);
    }
    return letters;
  }

  async remove(id: string): Promise<boolean> {
    const seq = Number(id);
    if (!Number.isSafeInteger(seq) || seq <= 0) return false;
    try {
      // Servers differ in how they answer a delete of a missing message; ask first.
      const stored = await this.#jsm.streams.getMessage(this.#stream, { seq }).catch((err: unknown) => {
        if (fromNatsError(err, 'reading').code === 'NOT_FOUND') return null;
        throw err;
      });
      if (!stored) return false;
      return await this.#jsm.streams.deleteMessage(this.#stream, seq, false);
    } catch (err) {
      const error = fromNatsError(err, `removing dead letter ${id}`);
      if (error.code === 'NOT_FOUND') return false;
      throw error;
    }
  }
}
