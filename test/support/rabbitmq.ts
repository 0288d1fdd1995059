import amqp, { type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';

/** The machine's shared RabbitMQ; tests use exchanges and queues of their own. */
export const SHARED_AMQP_URL = process.env.IMPULSE_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

/** A publishing connection to the shared RabbitMQ that removes what the test declared on close. */
export interface AmqpTestClient extends AsyncDisposable {
  publish(
    exchange: string,
    routingKey: string,
    body: string | Buffer,
    options?: Options.Publish,
  ): Promise<void>;
  /** Ready messages in the queue (not the unacknowledged ones). */
  messageCount(queue: string): Promise<number>;
  /** Deletes these when closed. */
  forget(what: { exchange?: string; queue?: string }): void;
  close(): Promise<void>;
}

export async function amqpTestClient(url = SHARED_AMQP_URL): Promise<AmqpTestClient> {
  const connection: ChannelModel = await amqp.connect(url);
  connection.on('error', () => undefined);
  // Publishing to an exchange that does not exist (yet) closes the channel: open another next time.
  let channel: ConfirmChannel | undefined;
  const confirmChannel = async () => {
    if (!channel) {
      const opened = await connection.createConfirmChannel();
      opened.on('error', () => undefined);
      opened.once('close', () => {
        if (channel === opened) channel = undefined;
      });
      channel = opened;
    }
    return channel;
  };
  const exchanges = new Set<string>();
  const queues = new Set<string>();
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // A failed delete closes the channel; use a fresh one for each.
      for (const queue of queues) {
        const ch = await connection.createChannel();
        ch.on('error', () => undefined);
        await ch.deleteQueue(queue).catch(() => undefined);
        await ch.close().catch(() => undefined);
      }
      for (const exchange of exchanges) {
        const ch = await connection.createChannel();
        ch.on('error', () => undefined);
        await ch.deleteExchange(exchange).catch(() => undefined);
        await ch.close().catch(() => undefined);
      }
      await connection.close().catch(() => undefined);
    })();
    return closing;
  };
  return {
    async publish(exchange, routingKey, body, options) {
      const ch = await confirmChannel();
      ch.publish(exchange, routingKey, Buffer.from(body), options);
      await ch.waitForConfirms();
    },
    async messageCount(queue) {
      const ch = await connection.createChannel();
      ch.on('error', () => undefined);
      try {
        return (await ch.checkQueue(queue)).messageCount;
      } finally {
        await ch.close().catch(() => undefined);
      }
    },
    forget({ exchange, queue }) {
      if (exchange) exchanges.add(exchange);
      if (queue) queues.add(queue);
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
