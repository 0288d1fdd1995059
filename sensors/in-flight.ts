import type { Logger } from '../core/logger.ts';
import type { BusMessage } from '../eventbus/index.ts';
import type { ExecutionResult } from './firing-executor.ts';

const MAX_FAILURE_DELAY_MS = 5 * 60_000;

/**
 * The messages a trigger has received and not yet settled. One heartbeat tells JetStream that all
 * of them are still in work (waiting for correlation, a rate limit or an execution), so none is
 * redelivered while it waits; settling one (ack or nak) forgets it.
 */
export class InFlight {
  private readonly messages = new Set<BusMessage>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    ackWaitMs: number,
    /** First delay before a failed message comes back; it doubles per delivery, up to 5 min. */
    private readonly failureDelayMs: number,
    private readonly logger: Logger,
  ) {
    this.heartbeat = setInterval(
      () => {
        for (const message of this.messages) message.working();
      },
      Math.max(100, ackWaitMs / 2),
    );
    this.heartbeat.unref();
  }

  add(message: BusMessage): void {
    this.messages.add(message);
  }

  ack(message: BusMessage): void {
    this.messages.delete(message);
    message.ack().catch((err: unknown) => {
      this.logger.warn({ err, seq: message.seq }, 'ack failed; the message will be delivered again');
    });
  }

  nak(message: BusMessage, delayMs?: number): void {
    this.messages.delete(message);
    message.nak(delayMs);
  }

  /** Naks with the back-off for a message that failed on its `deliveryCount`-th delivery. */
  retryLater(message: BusMessage): void {
    this.nak(message, this.delay(message.deliveryCount));
  }

  /** Acks or naks a message as the execution behind it ended. */
  settle(result: ExecutionResult, message: BusMessage): void {
    if (result.kind === 'done' || result.kind === 'dead-lettered') this.ack(message);
    else if (result.kind === 'retry') this.retryLater(message);
    else this.nak(message);
  }

  /** The wait before the next try, after `failures` failures. */
  delay(failures: number): number {
    return Math.min(MAX_FAILURE_DELAY_MS, this.failureDelayMs * 2 ** Math.max(0, failures - 1));
  }

  /** Stops the heartbeat and gives back what is left. */
  close(): void {
    clearInterval(this.heartbeat);
    for (const message of this.messages) message.nak();
    this.messages.clear();
  }
}
