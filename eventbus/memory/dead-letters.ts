import {
  type DeadLetter,
  type DeadLetterFilter,
  type DeadLetterInput,
  type DeadLetterQueue,
  matchesDeadLetter,
} from '../dead-letters.ts';
import { assertSubjectToken } from '../subjects.ts';

const DUPLICATE_WINDOW_MS = 5 * 60 * 1000;

/** The dead letters of a memory bus: a list with ids from a counter and the same dedup window. */
export class MemoryDeadLetters implements DeadLetterQueue {
  readonly #letters = new Map<string, DeadLetter>();
  readonly #seen = new Map<string, { id: string; at: number }>();
  readonly #assertOpen: () => void;
  #next = 0;

  constructor(assertOpen: () => void) {
    this.#assertOpen = assertOpen;
  }

  async add(letter: DeadLetterInput, options: { dedupId: string }): Promise<DeadLetter> {
    this.#assertOpen();
    assertSubjectToken(letter.namespace, 'namespace');
    assertSubjectToken(letter.sensor, 'sensor');
    assertSubjectToken(letter.trigger, 'trigger');
    const now = Date.now();
    for (const [dedupId, seen] of this.#seen) {
      if (now - seen.at < DUPLICATE_WINDOW_MS) break;
      this.#seen.delete(dedupId);
    }
    const seen = this.#seen.get(options.dedupId);
    const earlier = seen && this.#letters.get(seen.id);
    if (earlier) return structuredClone(earlier);
    const stored: DeadLetter = structuredClone({
      ...letter,
      id: String(++this.#next),
      at: new Date(now).toISOString(),
    });
    this.#letters.set(stored.id, stored);
    this.#seen.set(options.dedupId, { id: stored.id, at: now });
    return structuredClone(stored);
  }

  async list(filter?: DeadLetterFilter): Promise<DeadLetter[]> {
    this.#assertOpen();
    return [...this.#letters.values()]
      .filter((l) => matchesDeadLetter(l, filter))
      .map((l) => structuredClone(l));
  }

  async remove(id: string): Promise<boolean> {
    this.#assertOpen();
    return this.#letters.delete(id);
  }
}
