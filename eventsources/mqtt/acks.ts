import type { MqttClient } from 'mqtt';
import { ImpulseError } from '../../core/errors.ts';

type SendPacket = (
  packet: { cmd: string; messageId?: number },
  cb?: (err?: Error) => void,
  ...rest: unknown[]
) => void;

/**
 * Acknowledgements held back until the bus has the event. mqtt.js sends a QoS 1 message's PUBACK
 * as soon as its handler returns, and offers no manual acknowledgement; this takes over the client's
 * packet writer for PUBACKs only: the client goes on reading at once (so pings and further messages
 * flow), while each PUBACK waits for its message's verdict and for every PUBACK before it (MQTT wants
 * them in order). A message whose verdict is "not stored" is never acknowledged, so the broker
 * sends it again on the next connection of this persistent session.
 */
export class DeferredAcks {
  readonly #verdicts = new Map<number, Promise<boolean>>();
  #chain: Promise<void> = Promise.resolve();

  constructor(client: MqttClient) {
    const target = client as unknown as { _sendPacket?: SendPacket };
    const original = target._sendPacket;
    if (typeof original !== 'function') {
      throw new ImpulseError(
        'INTERNAL',
        'this mqtt client version has no _sendPacket; QoS 1 cannot defer acks',
      );
    }
    const send: SendPacket = original.bind(client);
    target._sendPacket = (packet, cb, ...rest) => {
      if (packet.cmd !== 'puback' || packet.messageId === undefined) return send(packet, cb, ...rest);
      const verdict = this.#verdicts.get(packet.messageId) ?? Promise.resolve(true);
      this.#verdicts.delete(packet.messageId);
      this.#chain = this.#chain.then(async () => {
        if ((await verdict) && client.connected) send(packet);
      });
      cb?.();
    };
  }

  /** Registers the pending verdict (true: stored, acknowledge) of message `messageId`. */
  expect(messageId: number, verdict: Promise<boolean>): void {
    this.#verdicts.set(messageId, verdict);
  }

  /** Resolves once every acknowledgement decided so far has been written. */
  async flushed(): Promise<void> {
    let chain: Promise<void>;
    do {
      chain = this.#chain;
      await chain;
    } while (chain !== this.#chain);
  }
}
