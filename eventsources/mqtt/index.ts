import type { IClientOptions, MqttClient } from 'mqtt';
import { isImpulseError } from '../../core/errors.ts';
import type { Session } from '../queue/connection.ts';
import { busMayRecover, createHold, type Hold, InFlight } from '../queue/hold.ts';
import { leasedConnectionSource } from '../queue/leased-connection.ts';
import { messageBody } from '../queue/message-body.ts';
import type { EventSourceDriver, SourceContext, SourceInit } from '../types.ts';
import { DeferredAcks } from './acks.ts';
import { type MqttConfig, type ResolvedMqtt, resolveMqtt } from './config.ts';

/** Argo Events' MQTT payload. */
export interface MqttPayload {
  topic: string;
  /** The MQTT packet id (0 at QoS 0); not unique, so never the event id. */
  messageId: number;
  body: unknown;
  metadata?: Record<string, string>;
}

/** Messages being stored at once before the source stops reading from the broker. */
const MAX_IN_FLIGHT = 256;

/**
 * The `mqtt` source: subscribes to `topic` (`+` and `#` allowed). At `qos: 0` (the default, as in
 * Argo Events) the broker sends each message at most once: one that arrives while the bus is away
 * is lost and counted as dropped. At `qos: 1` the source keeps a persistent session under
 * `clientId` and acknowledges each message only once the bus has stored its event; while the bus
 * is away messages wait unacknowledged (the broker's in-flight window stops the rest), and the
 * broker keeps queueing for the session while the source is disconnected.
 */
export function createMqttSource(init: SourceInit<MqttConfig>): EventSourceDriver {
  const config = resolveMqtt(init.config, init.path, init.secrets);
  return leasedConnectionSource(init, config, (ctx, s) => subscribe(ctx, config, s));
}

async function subscribe(ctx: SourceContext, config: ResolvedMqtt, signal: AbortSignal): Promise<Session> {
  // Loaded on first use: a process without an mqtt event never pays for the client.
  const { connect } = await import('mqtt');
  const options: IClientOptions = {
    clientId: config.clientId,
    // A QoS 1 session outlives the connection, so nothing is lost while the source is away.
    clean: config.qos === 0,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...(config.username !== undefined ? { username: config.username } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
    ...(config.tls ?? {}),
  };
  const client: MqttClient = connect(config.url, options);
  const acks = config.qos === 1 ? new DeferredAcks(client) : undefined;
  const stop = new AbortController();
  const hold = createHold(ctx, AbortSignal.any([signal, stop.signal]));
  const inFlight = new InFlight();
  let open = true;
  const lost = new Promise<unknown>((resolve) => {
    client.once('close', () => {
      stop.abort();
      resolve(new Error('the connection to the broker closed'));
    });
  });
  client.on('message', (topic, message, packet) => {
    const id = packet.messageId;
    if (!open) {
      // Stopping: a QoS 1 message is left unacknowledged, for the next session.
      if (acks && id !== undefined) acks.expect(id, Promise.resolve(false));
      return;
    }
    const verdict = inFlight.track(handle(ctx, config, hold, topic, message, id ?? 0));
    if (acks && id !== undefined) acks.expect(id, verdict);
  });
  // mqtt.js reads the next packet once this calls back. A broker draining a session's backlog does
  // not always wait for acknowledgements, so hold the reading while many messages are being stored:
  // TCP then holds the rest, and memory stays bounded.
  client.handleMessage = (_packet, callback) => {
    if (inFlight.size < MAX_IN_FLIGHT) callback();
    else void inFlight.below(MAX_IN_FLIGHT / 2).then(() => callback());
  };
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
      client.once('close', () => reject(new Error('the broker closed the connection')));
    });
    client.on('error', () => undefined);
    const granted = await client.subscribeAsync(config.topic, { qos: config.qos });
    if (granted.some((g) => g.qos === 128))
      throw new Error(`the broker refused the subscription to ${config.topic}`);
  } catch (err) {
    client.end(true);
    throw err;
  }
  return {
    lost,
    async close() {
      open = false;
      await inFlight.drain();
      await acks?.flushed();
      stop.abort();
      await client.endAsync().catch(() => client.end(true));
    },
  };
}

/** Dispatches one message; resolves true once it is stored or refused for good (acknowledge it). */
async function handle(
  ctx: SourceContext,
  config: ResolvedMqtt,
  hold: Hold,
  topic: string,
  message: Buffer,
  messageId: number,
): Promise<boolean> {
  let payload: MqttPayload;
  try {
    payload = { topic, messageId, body: messageBody(message, config.jsonBody) };
  } catch (err) {
    ctx.rejected();
    ctx.logger.warn({ topic, err: (err as Error).message }, 'message refused');
    return true;
  }
  if (config.metadata) payload.metadata = config.metadata;
  try {
    if (config.qos === 1) await hold.dispatch(payload);
    else await ctx.dispatch(payload);
    return true;
  } catch (err) {
    if (isImpulseError(err, 'CLOSED')) return false;
    if (config.qos === 0 && busMayRecover(err)) {
      ctx.dropped();
      return true;
    }
    ctx.rejected();
    ctx.logger.error({ topic, err: (err as Error).message }, 'message refused');
    return true;
  }
}
