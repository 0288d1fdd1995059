import type { CloudEvent } from './cloudevent.ts';

/**
 * Dead letters: firings that could not be completed (a trigger that still failed after its retries,
 * a permanent failure, a message on its last allowed delivery). Each holds what is needed to look at
 * the failure and to send the firing through its sensor again (`impulse dlq redrive`).
 */

/** Where a dead letter's events came from in the event stream. */
export interface DeadLetterEventRef {
  id: string;
  /** Stream sequence of the event on the bus. */
  seq: number;
}

export interface DeadLetterInput {
  namespace: string;
  sensor: string;
  trigger: string;
  firingId: string;
  /** The firing's events by dependency name; empty when they were too large to copy (see `refs`). */
  events: Record<string, CloudEvent>;
  /** The same events as stream positions, so a redrive can read them back when `events` is empty. */
  refs: Record<string, DeadLetterEventRef>;
  error: { code: string; message: string };
  /** Trigger executions tried, retries included, over all deliveries. */
  attempts: number;
  /** `failed`: the trigger failed for good; `max-deliveries`: the message reached its last delivery. */
  reason: 'failed' | 'max-deliveries';
  /** What the `dlqTrigger` did with this firing, when the trigger has one. */
  dlqTrigger?: { status: 'succeeded' | 'failed'; error?: string };
}

export interface DeadLetter extends DeadLetterInput {
  /** Identifies the dead letter within its bus (its position in the dead-letter stream). */
  id: string;
  /** When it was stored (ISO 8601). */
  at: string;
}

export interface DeadLetterFilter {
  namespace?: string;
  sensor?: string;
  trigger?: string;
}

/**
 * The dead-letter queue of a bus. In the jetstream driver it is the stream `<bus>-deadletters`
 * (subjects `<bus>-deadletters.<namespace>.<sensor>.<trigger>`), kept until a letter is removed.
 */
export interface DeadLetterQueue {
  /**
   * Stores a dead letter once it is durable. A second add with the same `dedupId` within the
   * duplicate window stores nothing and resolves with the first letter's id.
   */
  add(letter: DeadLetterInput, options: { dedupId: string }): Promise<DeadLetter>;
  /** The stored dead letters, oldest first, optionally only those matching `filter`. */
  list(filter?: DeadLetterFilter): Promise<DeadLetter[]>;
  /** Removes one dead letter; false when there is none with that id. */
  remove(id: string): Promise<boolean>;
}

/** Whether `letter` matches every field `filter` sets. */
export function matchesDeadLetter(letter: DeadLetterInput, filter: DeadLetterFilter = {}): boolean {
  return (
    (filter.namespace === undefined || letter.namespace === filter.namespace) &&
    (filter.sensor === undefined || letter.sensor === filter.sensor) &&
    (filter.trigger === undefined || letter.trigger === filter.trigger)
  );
}

/** The name of the dead-letter stream of bus `bus`. */
export function deadLetterStream(bus: string): string {
  return `${bus}-deadletters`;
}
