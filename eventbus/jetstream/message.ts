import type { JsMsg } from '@nats-io/jetstream';
import { ImpulseError } from '../../core/errors.ts';
import type { CloudEvent } from '../cloudevent.ts';
import type { BusMessage } from '../types.ts';
import { fromNatsError } from './errors.ts';

/** @default 5000 */
const ACK_TIMEOUT_MS = 5000;

/** What a message needs to know about its connection. */
export interface MessageConnection {
  readonly connected: boolean;
  /** Closed or closing for good (not an outage). */
  readonly closed: boolean;
  readonly termReasons: boolean;
}

type Settlement = 'pending' | 'acking' | 'acked' | 'ack-failed' | 'nacked' | 'terminated';

/**
 * A JetStream message seen through the bus interface. The first settlement wins: after an ack, nak
 * or term, later `nak`, `working` and `term` calls do nothing, as in JetStream itself.
 */
export class JetStreamMessage implements BusMessage {
  readonly event: CloudEvent;
  readonly #msg: JsMsg;
  readonly #connection: MessageConnection;
  #state: Settlement = 'pending';
  #acking: Promise<void> | undefined;

  constructor(msg: JsMsg, event: CloudEvent, connection: MessageConnection) {
    this.#msg = msg;
    this.event = event;
    this.#connection = connection;
  }

  get subject(): string {
    return this.#msg.subject;
  }

  get seq(): number {
    return this.#msg.seq;
  }

  get deliveryCount(): number {
    return this.#msg.info.deliveryCount;
  }

  ack(): Promise<void> {
    switch (this.#state) {
      case 'pending':
        this.#acking = this.#ackAck();
        return this.#acking;
      case 'acking':
      case 'acked':
        return this.#acking ?? Promise.resolve();
      case 'ack-failed':
        return Promise.reject(
          new ImpulseError('INVALID_STATE', 'an earlier ack of this message failed; it will be redelivered'),
        );
      default:
        return Promise.reject(
          new ImpulseError('INVALID_STATE', `cannot ack a message that was ${this.#state}`),
        );
    }
  }

  nak(delayMs?: number): void {
    if (this.#state !== 'pending') return;
    this.#state = 'nacked';
    this.#msg.nak(delayMs && delayMs > 0 ? delayMs : undefined);
  }

  working(): void {
    if (this.#state === 'pending') this.#msg.working();
  }

  term(reason?: string): void {
    if (this.#state !== 'pending') return;
    this.#state = 'terminated';
    // An older server ignores a term that carries a reason, and the message would come back.
    if (reason && this.#connection.termReasons) this.#msg.term(reason);
    else this.#msg.term();
  }

  async #ackAck(): Promise<void> {
    this.#state = 'acking';
    if (!this.#connection.connected) {
      this.#state = 'ack-failed';
      if (this.#connection.closed) throw new ImpulseError('CLOSED', 'the event bus is closed');
      throw new ImpulseError('BUS_UNAVAILABLE', 'not connected to NATS; the message will be redelivered');
    }
    try {
      await this.#msg.ackAck({ timeout: ACK_TIMEOUT_MS });
      this.#state = 'acked';
    } catch (err) {
      // The client marks the message settled before sending, so a retry could not resend the ack.
      this.#state = 'ack-failed';
      throw fromNatsError(
        err,
        `acking message ${this.seq}`,
        this.#connection.closed ? 'CLOSED' : 'BUS_UNAVAILABLE',
      );
    }
  }
}
