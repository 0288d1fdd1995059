import type { Channel, ConsumeMessage } from 'amqplib';

/**
 * Acknowledgements in batches. A channel numbers its deliveries 1, 2, 3, ...; once every delivery
 * up to some number is settled (stored, or refused for good), one `ack(..., allUpTo)` covers them
 * all, which spares the broker a frame per message. A delivery that is still waiting (the bus is
 * away) holds back the acknowledgement of later ones; `flushEach()` acknowledges those one by one
 * when the source stops, so only the waiting ones come back.
 */
export class AckWindow {
  readonly #channel: Channel;
  /** Settled deliveries not yet acknowledged; undefined for one refused (already nacked). */
  readonly #settled = new Map<number, ConsumeMessage | undefined>();
  #next = 1;
  #scheduled = false;

  constructor(channel: Channel) {
    this.#channel = channel;
  }

  /** The message's event is stored: acknowledge it, with the ones before it once they are settled. */
  stored(message: ConsumeMessage): void {
    this.#settled.set(message.fields.deliveryTag, message);
    this.#schedule();
  }

  /** The message can never be stored: reject it without requeueing (a dead-letter exchange gets it). */
  refused(message: ConsumeMessage): void {
    settle(() => this.#channel.nack(message, false, false));
    this.#settled.set(message.fields.deliveryTag, undefined);
    this.#schedule();
  }

  /** Acknowledges every stored message not yet acknowledged, each on its own. */
  flushEach(): void {
    this.#flush();
    for (const message of this.#settled.values()) {
      if (message) settle(() => this.#channel.ack(message));
    }
    this.#settled.clear();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    let last: ConsumeMessage | undefined;
    while (this.#settled.has(this.#next)) {
      last = this.#settled.get(this.#next) ?? last;
      this.#settled.delete(this.#next);
      this.#next++;
    }
    if (last) {
      const upTo = last;
      settle(() => this.#channel.ack(upTo, true));
    }
  }
}

/** After a lost connection the channel is gone; the broker redelivers what was not acknowledged. */
function settle(fn: () => void): void {
  try {
    fn();
  } catch {
    // the channel closed meanwhile
  }
}
