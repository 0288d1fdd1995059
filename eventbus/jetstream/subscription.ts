import type { ConsumerInfo, ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { backoff } from '@nats-io/transport-node';
import { ImpulseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { decodeEvent } from '../event-codec.ts';
import type { BusMessage, Subscription } from '../types.ts';
import type { ConsumerSettings } from './consumer.ts';
import { JetStreamMessage, type MessageConnection } from './message.ts';

/**
 * How long a pull request waits on the server; also paces the client's checks after an outage. It is
 * shorter than the time another replica needs to take over a lease (6 s), so the pull requests of a
 * paused process have expired before anyone takes its place, and new messages go to the new holder
 * instead of waiting in the paused process for the ack wait.
 */
const PULL_EXPIRES_MS = 5_000;
/** The most messages the client buffers ahead of the reader. */
const MAX_BUFFERED = 64;

export interface SubscriptionContext {
  js: JetStreamClient;
  stream: string;
  settings: ConsumerSettings;
  logger: Logger;
  connection: MessageConnection;
  /** Makes sure the stream and the consumer exist (creating what is missing) and returns the consumer. */
  recover(): Promise<ConsumerInfo>;
  /** Called once, when the subscription has closed. */
  onClosed(): void;
}

/**
 * Reads a durable pull consumer with `consume()`. The client itself rides out reconnects; when its
 * message stream still ends without `close()` (the consumer or stream was deleted, a permission
 * changed), the subscription recreates what is missing and consumes again, backing off.
 *
 * Messages arrive through the client's callback into a small queue (bounded by the pull batch and the
 * consumer's max ack pending) that the iterator empties; this keeps `close()` independent of whether
 * anyone is reading.
 */
export class JetStreamSubscription implements Subscription {
  readonly durable: string;
  readonly #ctx: SubscriptionContext;
  #messages: ConsumerMessages | undefined;
  #ended = true;
  readonly #queue: JsMsg[] = [];
  #wakeUp: (() => void) | undefined;
  #iterating = false;
  #closing: Promise<void> | undefined;
  #recovering = false;

  constructor(ctx: SubscriptionContext) {
    this.#ctx = ctx;
    this.durable = ctx.settings.durable;
  }

  /** Starts consuming from `info` (which the caller just created or resumed). */
  async start(info: ConsumerInfo): Promise<void> {
    await this.#consume(info);
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<BusMessage> {
    if (this.#iterating)
      throw new ImpulseError('INVALID_STATE', `subscription ${this.durable} is already being read`);
    this.#iterating = true;
    return this.#iterate();
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(): Promise<void> {
    // Messages still queued were never handed out: give them back now rather than after the ack wait.
    for (const msg of this.#queue.splice(0)) msg.nak();
    this.#wake();
    try {
      await this.#messages?.close();
    } catch {
      // The connection may already be gone; there is nothing left to stop then.
    } finally {
      this.#ctx.onClosed();
    }
  }

  async #consume(info: ConsumerInfo): Promise<void> {
    const consumer = this.#ctx.js.consumers.getConsumerFromInfo(info);
    const messages = await consumer.consume({
      max_messages: Math.min(MAX_BUFFERED, Math.max(1, this.#ctx.settings.maxAckPending)),
      expires: PULL_EXPIRES_MS,
      callback: (msg) => {
        if (this.closed) {
          msg.nak();
          return;
        }
        this.#queue.push(msg);
        this.#wake();
      },
    });
    this.#messages = messages;
    this.#ended = false;
    void messages.closed().then(() => {
      this.#ended = true;
      this.#wake();
    });
    if (this.closed) await messages.close();
    else void this.#watch(messages);
  }

  async *#iterate(): AsyncGenerator<BusMessage> {
    const backoffPolicy = backoff([250, 500, 1000, 2000, 5000]);
    let attempt = 0;
    try {
      while (!this.closed) {
        const msg = this.#queue.shift();
        if (msg) {
          attempt = 0;
          const message = this.#toBusMessage(msg);
          if (message) yield message;
        } else if (!this.#ended) {
          await new Promise<void>((resolve) => {
            this.#wakeUp = resolve;
          });
        } else {
          await this.#resume(backoffPolicy.backoff(attempt++));
        }
      }
    } finally {
      // Leaving the loop early (break, return, throw) ends the subscription, like closing it.
      await this.close();
    }
  }

  async #resume(delayMs: number): Promise<void> {
    this.#ctx.logger.warn({ durable: this.durable }, 'consumer stopped delivering; resuming it');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      this.#wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    if (this.closed) return;
    if (this.#ctx.connection.closed) {
      // The connection is gone for good (closed under us, or refused for good): so is this subscription.
      await this.close();
      return;
    }
    try {
      await this.#consume(await this.#ctx.recover());
    } catch (err) {
      this.#ctx.logger.warn({ durable: this.durable, err }, 'cannot resume consumer yet');
    }
  }

  #wake(): void {
    const wakeUp = this.#wakeUp;
    this.#wakeUp = undefined;
    wakeUp?.();
  }

  #toBusMessage(msg: JsMsg): BusMessage | undefined {
    try {
      return new JetStreamMessage(msg, decodeEvent(msg.data), this.#ctx.connection);
    } catch (err) {
      // A body that is not a CloudEvent will never become one: stop its redelivery, keep going.
      this.#ctx.logger.warn(
        { durable: this.durable, subject: msg.subject, seq: msg.seq, err },
        'terminated a message that is not a CloudEvent',
      );
      if (this.#ctx.connection.termReasons) msg.term('not a CloudEvent');
      else msg.term();
      return undefined;
    }
  }

  /** Recreates the consumer (or the stream) when the client reports it gone. */
  async #watch(messages: ConsumerMessages): Promise<void> {
    for await (const status of messages.status()) {
      if (status.type !== 'consumer_not_found' && status.type !== 'stream_not_found') continue;
      if (this.#recovering || this.closed) continue;
      this.#recovering = true;
      try {
        // The client keeps pulling and finds the recreated consumer by itself.
        await this.#ctx.recover();
        this.#ctx.logger.warn(
          { durable: this.durable, missing: status.type },
          'recreated a missing consumer',
        );
      } catch (err) {
        this.#ctx.logger.warn({ durable: this.durable, err }, 'cannot recreate missing consumer yet');
      } finally {
        this.#recovering = false;
      }
    }
  }
}
