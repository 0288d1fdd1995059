import type { Channel, ChannelModel, ConsumeMessage, SocketOptions } from 'amqplib';
import { isImpulseError } from '../../core/errors.ts';
import type { Session } from '../queue/connection.ts';
import { createHold, InFlight } from '../queue/hold.ts';
import { leasedConnectionSource } from '../queue/leased-connection.ts';
import type { EventSourceDriver, SourceContext, SourceInit } from '../types.ts';
import { AckWindow } from './acks.ts';
import { type AmqpConfig, type ResolvedAmqp, resolveAmqp } from './config.ts';
import { amqpPayload } from './payload.ts';

export { type AmqpPayload, amqpPayload } from './payload.ts';

/** Unacknowledged messages the broker may hand over at once; the rest wait in the queue. */
export const AMQP_PREFETCH = 256;

/**
 * The `amqp` source: declares the exchange, the queue and their binding as the manifest says, and
 * consumes the queue. A message is acknowledged only once the bus has stored its event; while the
 * bus is away the held messages wait (the prefetch window stops the broker from sending more) and
 * nothing is requeued in a loop. With `consume.autoAck: true` the broker counts a message delivered
 * as soon as it sends it, so one that arrives while the bus is away is lost (counted as dropped).
 */
export function createAmqpSource(init: SourceInit<AmqpConfig>): EventSourceDriver {
  const config = resolveAmqp(init.config, init.path, init.secrets);
  return leasedConnectionSource(init, config, (ctx, s) => consume(ctx, config, s));
}

async function consume(ctx: SourceContext, config: ResolvedAmqp, signal: AbortSignal): Promise<Session> {
  // Loaded on first use: a process without an amqp event never pays for the client.
  const amqp = await import('amqplib');
  const socket: SocketOptions = { timeout: 10_000, ...config.tls };
  if (config.credentials) {
    socket.credentials = amqp.credentials.plain(config.credentials.username, config.credentials.password);
  }
  const connection: ChannelModel = await amqp.connect(connectionUrl(config), socket);
  const stop = new AbortController();
  let settleLost!: (reason: unknown) => void;
  const lost = new Promise<unknown>((resolve) => {
    settleLost = resolve;
  });
  const fail = (reason: unknown) => {
    stop.abort();
    settleLost(reason);
  };
  connection.on('error', () => undefined);
  connection.once('close', (err?: Error) => fail(err ?? new Error('the broker closed the connection')));
  let channel: Channel;
  let consumerTag: string;
  let acks: AckWindow | undefined;
  const inFlight = new InFlight();
  try {
    channel = await connection.createChannel();
    channel.on('error', () => undefined);
    channel.once('close', () => fail(new Error('the broker closed the channel')));
    const { exchange, queue, consume: opts } = config;
    await channel.assertExchange(exchange.name, exchange.type, {
      durable: exchange.durable,
      autoDelete: exchange.autoDelete,
      internal: exchange.internal,
    });
    const declared = await channel.assertQueue(queue.name, {
      durable: queue.durable,
      autoDelete: queue.autoDelete,
      exclusive: queue.exclusive,
      ...(queue.arguments ? { arguments: queue.arguments } : {}),
    });
    await channel.bindQueue(declared.queue, exchange.name, config.routingKey);
    if (!opts.autoAck) await channel.prefetch(AMQP_PREFETCH);
    const hold = createHold(ctx, AbortSignal.any([signal, stop.signal]));
    const window = opts.autoAck ? undefined : new AckWindow(channel);
    acks = window;
    const reply = await channel.consume(
      declared.queue,
      (message) => {
        if (message === null) fail(new Error(`the broker cancelled the consumer of queue ${declared.queue}`));
        else void inFlight.track(handle(ctx, config, window, message, hold.dispatch, signal));
      },
      {
        noAck: opts.autoAck,
        exclusive: opts.exclusive,
        noLocal: opts.noLocal,
        ...(opts.consumerTag ? { consumerTag: opts.consumerTag } : {}),
      },
    );
    consumerTag = reply.consumerTag;
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw err;
  }
  return {
    lost,
    async close() {
      // Stop intake, let the messages in flight be stored and acknowledged, then hang up.
      await channel.cancel(consumerTag).catch(() => undefined);
      await inFlight.drain();
      acks?.flushEach();
      stop.abort();
      await channel.close().catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
}

/**
 * The URL to dial: `amqps` when a `tls` block is given, and a 10 s heartbeat (as Argo Events sets)
 * unless the URL names one, so a dead broker is noticed within half a minute.
 */
function connectionUrl(config: ResolvedAmqp): string {
  const url = new URL(
    config.tls && config.url.startsWith('amqp:') ? `amqps:${config.url.slice(5)}` : config.url,
  );
  if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', '10');
  return url.toString();
}

async function handle(
  ctx: SourceContext,
  config: ResolvedAmqp,
  acks: AckWindow | undefined,
  message: ConsumeMessage,
  dispatch: (payload: unknown) => Promise<unknown>,
  signal: AbortSignal,
): Promise<void> {
  const refuse = (err: unknown, level: 'warn' | 'error') => {
    ctx.rejected();
    ctx.logger[level](
      { err: (err as Error).message, messageId: message.properties.messageId },
      'message refused',
    );
    acks?.refused(message);
  };
  let payload: unknown;
  try {
    payload = amqpPayload(message, config.jsonBody, config.metadata);
  } catch (err) {
    refuse(err, 'warn');
    return;
  }
  try {
    if (!acks) await ctx.dispatch(payload);
    else await dispatch(payload);
    acks?.stored(message);
  } catch (err) {
    if (isImpulseError(err, 'CLOSED') || signal.aborted) return;
    if (!acks && (isImpulseError(err, 'BUS_UNAVAILABLE') || isImpulseError(err, 'TIMEOUT'))) {
      ctx.dropped();
      return;
    }
    // A permanent refusal (too large): requeueing would loop; the queue's dead-letter exchange, if
    // any, gets it.
    refuse(err, 'error');
  }
}
