import type { Logger } from '../core/logger.ts';
import type { Firing } from '../triggers/index.ts';
import type { CorrelationEntry, FiringRecord } from './correlation.ts';
import type { Correlator } from './correlator.ts';
import type { FiringExecutor } from './firing-executor.ts';
import type { Semaphore } from './serial-queue.ts';

export interface RecordedFiringsOptions {
  correlator: Correlator;
  executor: FiringExecutor;
  /** The trigger's execution slots, shared with the firings of messages. */
  executions: Semaphore;
  logger: Logger;
  /** Executions a record gets (like a message's deliveries); the last failure dead-letters it. */
  maxDeliver: number;
  /** The wait before trying again after `failures` failures. */
  delay(failures: number): number;
  /** Whether this replica may still act. */
  acting(): boolean;
}

/**
 * Executes firings made of held events. Their messages are acked once the record is in KV, so the
 * record carries them from then on: a failure is counted in it and tried again later (after a
 * restart too), and the record is removed once the firing is done or dead-lettered.
 */
export class RecordedFirings {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: RecordedFiringsOptions) {}

  /** Executes a recorded firing until it is done or dead-lettered, or this replica stops acting. */
  async run(entry: CorrelationEntry, firing: Firing, record: FiringRecord): Promise<void> {
    const { executor, correlator, logger, maxDeliver } = this.options;
    const result = await executor.run({
      firing,
      refs: record.events,
      failuresBefore: record.failures,
      lastChance: record.failures + 1 >= maxDeliver - 1,
      dedupId: `${firing.id}/record`,
      working: () => undefined,
    });
    if (result.kind === 'done' || result.kind === 'dead-lettered') {
      await correlator.complete(entry, firing.id).catch((err: unknown) => {
        logger.warn(
          { firingId: firing.id, err },
          'could not mark a firing done; it will run again after a restart',
        );
      });
      return;
    }
    if (result.kind !== 'retry' || !this.options.acting()) return;
    const failures = await correlator.recordFailure(entry, firing.id).catch(() => record.failures + 1);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.options.acting()) {
        void this.options.executions.start(() => this.run(entry, firing, { ...record, failures }));
      }
    }, this.options.delay(failures));
    this.timers.add(timer);
  }

  /** Reads a record's events back from the stream and executes it; drops it when they aged out. */
  async resume(entry: CorrelationEntry, id: string, record: FiringRecord): Promise<void> {
    const { correlator, logger } = this.options;
    const firing = await correlator.restore(record).catch(() => undefined);
    if (!firing) {
      logger.warn({ firingId: id }, 'a recorded firing refers to events no longer in the stream; dropped it');
      await correlator.complete(entry, id).catch(() => undefined);
      return;
    }
    logger.info({ firingId: firing.id, failures: record.failures }, 'resuming a recorded firing');
    await this.run(entry, firing, record);
  }

  /** Cancels the retries waiting; their records stay, for the next start. */
  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
