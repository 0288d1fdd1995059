import { ImpulseError } from '../../core/errors.ts';
import type { KvEntry, KvOptions, KvStore } from '../types.ts';

// The same rules as JetStream KV, so what works here works there.
const VALID_KEY = /^[-/=.\w]+$/;
const VALID_BUCKET = /^[-\w]+$/;

interface Stored {
  /** JSON text, so callers never share objects with the store; null for a deleted key. */
  json: string | null;
  revision: number;
  writtenAt: number;
}

/**
 * The data of one bucket: the latest value per key, revisions from one counter per bucket (as
 * JetStream KV's stream sequence), and deletions kept as markers so that revisions stay comparable.
 */
export class MemoryKvBucket {
  readonly name: string;
  readonly #ttlMs: number;
  readonly #entries = new Map<string, Stored>();
  #revision = 0;

  constructor(name: string, options: KvOptions = {}) {
    if (!VALID_BUCKET.test(name)) {
      throw new ImpulseError(
        'INVALID_INPUT',
        `bucket name ${JSON.stringify(name)} may hold only letters, digits, - and _`,
      );
    }
    this.name = name;
    this.#ttlMs = options.ttlMs ?? 0;
  }

  /** The live entry of `key`, treating entries older than the bucket's ttl as gone. */
  read(key: string): Stored | undefined {
    assertKey(key);
    const stored = this.#entries.get(key);
    if (stored && this.#ttlMs > 0 && Date.now() - stored.writtenAt >= this.#ttlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return stored;
  }

  write(key: string, json: string | null): number {
    this.#entries.set(key, { json, revision: ++this.#revision, writtenAt: Date.now() });
    return this.#revision;
  }

  liveKeys(): string[] {
    return [...this.#entries.keys()].filter((key) => this.read(key)?.json != null);
  }
}

/** The `KvStore` view of a memory bucket. */
export class MemoryKv implements KvStore {
  readonly bucket: string;
  readonly #data: MemoryKvBucket;
  readonly #assertOpen: () => void;

  constructor(data: MemoryKvBucket, assertOpen: () => void) {
    this.bucket = data.name;
    this.#data = data;
    this.#assertOpen = assertOpen;
  }

  async get<T>(key: string): Promise<KvEntry<T> | null> {
    this.#assertOpen();
    const stored = this.#data.read(key);
    if (!stored || stored.json === null) return null;
    return { key, value: JSON.parse(stored.json) as T, revision: stored.revision };
  }

  async put<T>(key: string, value: T): Promise<number> {
    this.#assertOpen();
    this.#data.read(key);
    return this.#data.write(key, toJson(value));
  }

  async create<T>(key: string, value: T): Promise<number> {
    this.#assertOpen();
    const stored = this.#data.read(key);
    if (stored && stored.json !== null) throw this.#conflict('creating', key);
    return this.#data.write(key, toJson(value));
  }

  async update<T>(key: string, value: T, revision: number): Promise<number> {
    this.#assertOpen();
    const current = this.#data.read(key)?.revision ?? 0;
    if (current !== revision) throw this.#conflict('updating', key);
    return this.#data.write(key, toJson(value));
  }

  async delete(key: string): Promise<void> {
    this.#assertOpen();
    if (this.#data.read(key)) this.#data.write(key, null);
  }

  async keys(prefix = ''): Promise<string[]> {
    this.#assertOpen();
    return this.#data
      .liveKeys()
      .filter((key) => key.startsWith(prefix))
      .sort();
  }

  #conflict(doing: string, key: string): ImpulseError {
    return new ImpulseError('INVALID_STATE', `${doing} ${this.bucket}/${key}: revision conflict`, {
      details: { bucket: this.bucket, key },
    });
  }
}

function assertKey(key: string): void {
  if (key.startsWith('.') || key.endsWith('.') || !VALID_KEY.test(key)) {
    throw new ImpulseError('INVALID_INPUT', `invalid key ${JSON.stringify(key)}`);
  }
}

function toJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new ImpulseError('INVALID_INPUT', 'a KV value must be JSON-serializable');
  return json;
}
