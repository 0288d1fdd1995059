import type { JetStreamClient } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import { ImpulseError } from '../../core/errors.ts';
import type { KvEntry, KvOptions, KvStore } from '../types.ts';
import { fromNatsError } from './errors.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const VALID_BUCKET = /^[-\w]+$/;

/** Opens bucket `name`, creating it with `options` when missing; an existing bucket keeps its settings. */
export async function openJetStreamKv(
  js: JetStreamClient,
  name: string,
  options: KvOptions = {},
): Promise<KvStore> {
  if (!VALID_BUCKET.test(name)) {
    throw new ImpulseError(
      'INVALID_INPUT',
      `bucket name ${JSON.stringify(name)} may hold only letters, digits, - and _`,
    );
  }
  try {
    const kv = await new Kvm(js).create(name, {
      history: options.history ?? 1,
      ...(options.ttlMs ? { ttl: options.ttlMs } : {}),
    });
    return new JetStreamKv(name, kv);
  } catch (err) {
    throw fromNatsError(err, `opening bucket ${name}`);
  }
}

/** A JetStream KV bucket holding JSON values. */
class JetStreamKv implements KvStore {
  readonly bucket: string;
  readonly #kv: KV;

  constructor(bucket: string, kv: KV) {
    this.bucket = bucket;
    this.#kv = kv;
  }

  async get<T>(key: string): Promise<KvEntry<T> | null> {
    const entry = await this.#call(key, 'reading', () => this.#kv.get(key));
    if (entry?.operation !== 'PUT') return null;
    return { key, value: JSON.parse(decoder.decode(entry.value)) as T, revision: entry.revision };
  }

  put<T>(key: string, value: T): Promise<number> {
    return this.#call(key, 'writing', () => this.#kv.put(key, encode(value)));
  }

  create<T>(key: string, value: T): Promise<number> {
    return this.#call(key, 'creating', () => this.#kv.create(key, encode(value)));
  }

  update<T>(key: string, value: T, revision: number): Promise<number> {
    return this.#call(key, 'updating', () => this.#kv.update(key, encode(value), revision));
  }

  delete(key: string): Promise<void> {
    return this.#call(key, 'deleting', () => this.#kv.delete(key));
  }

  async keys(prefix = ''): Promise<string[]> {
    // A prefix that ends a token can be filtered on the server; any other is filtered here.
    const filter = prefix.endsWith('.') ? `${prefix}>` : '>';
    const keys: string[] = [];
    await this.#call(prefix || '>', 'listing', async () => {
      for await (const key of await this.#kv.keys(filter)) {
        if (key.startsWith(prefix)) keys.push(key);
      }
    });
    return keys.sort();
  }

  async #call<R>(key: string, doing: string, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (err) {
      const mapped = fromNatsError(err, `${doing} ${this.bucket}/${key}`);
      // The client throws a plain Error for a key with characters KV does not allow.
      if (!(err instanceof ImpulseError) && err instanceof Error && err.message.startsWith('invalid key')) {
        throw new ImpulseError('INVALID_INPUT', mapped.message, { cause: err });
      }
      if (mapped.code === 'INVALID_STATE') {
        throw new ImpulseError('INVALID_STATE', `${doing} ${this.bucket}/${key}: revision conflict`, {
          cause: err,
          details: { bucket: this.bucket, key },
        });
      }
      throw mapped;
    }
  }
}

function encode(value: unknown): Uint8Array {
  const json = JSON.stringify(value);
  if (json === undefined) throw new ImpulseError('INVALID_INPUT', 'a KV value must be JSON-serializable');
  return encoder.encode(json);
}
