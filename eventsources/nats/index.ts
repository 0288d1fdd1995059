import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { isImpulseError } from '../../core/errors.ts';
import { natsConnectOptions, resolveNatsAuth } from '../../core/nats-client.ts';
import { runUnderLease, sourceLeaseKey } from '../active-passive.ts';
import { resolveBackoff } from '../queue/backoff.ts';
import { keepConnected, type Session } from '../queue/connection.ts';
import { busMayRecover, InFlight } from '../queue/hold.ts';
import { messageBody } from '../queue/message-body.ts';
import { redactUrl } from '../queue/redact.ts';
import type { EventSourceDriver, SourceConfig, SourceContext, SourceInit } from '../types.ts';

/** Argo Events' NATS payload. */
export interface NatsPayload {
  subject: string;
  body: unknown;
  /** The message headers, when it has any. */
  header?: Record<string, string[]>;
  metadata?: Record<string, string>;
}

type NatsConfig = SourceConfig<'nats'>;

/**
 * The `nats` source: subscribes to `subject` (wildcards allowed), in queue group `queue` when set.
 * Core NATS keeps nothing for a subscriber, so this is at-most-once: a message that arrives while
 * the bus cannot take it is gone, and counted as dropped. Each event gets a UUIDv7 id.
 */
export function createNatsSource(init: SourceInit<NatsConfig>): EventSourceDriver {
  const { config, path } = init;
  const backoff = resolveBackoff(config.connectionBackoff, path);
  const auth = resolveNatsAuth(config.auth, config.tls, path, init.secrets);
  const target = redactUrl(config.url);
  return {
    async start(ctx) {
      const options = await natsConnectOptions(auth);
      const work = (signal: AbortSignal) =>
        keepConnected({
          signal,
          logger: ctx.logger,
          backoff,
          path,
          target,
          secrets: auth.secrets,
          connect: async () => {
            const { connect } = await import('@nats-io/transport-node');
            const nc = await connect({
              servers: config.url.split(',').map((s) => s.trim()),
              name: `impulse-${init.eventSourceName}-${init.eventName}`,
              reconnect: false,
              timeout: 10_000,
              ...options,
            });
            return subscribe(ctx, nc, config);
          },
          connected: () => ctx.ready(),
        });
      await runUnderLease({
        ctx,
        leases: init.services.leases,
        key: sourceLeaseKey(init.namespace, init.eventSourceName, init.eventName),
        work,
      });
    },
  };
}

async function subscribe(ctx: SourceContext, nc: NatsConnection, config: NatsConfig): Promise<Session> {
  const inFlight = new InFlight();
  const jsonBody = config.jsonBody ?? false;
  const metadata = config.metadata && Object.keys(config.metadata).length > 0 ? config.metadata : undefined;
  const deliver = (msg: Msg) => {
    let payload: NatsPayload;
    try {
      payload = { subject: msg.subject, body: messageBody(msg.data, jsonBody) };
    } catch (err) {
      ctx.rejected();
      ctx.logger.warn({ subject: msg.subject, err: (err as Error).message }, 'message refused');
      return;
    }
    if (msg.headers) {
      const header: Record<string, string[]> = {};
      for (const [key, values] of msg.headers) header[key] = values;
      payload.header = header;
    }
    if (metadata) payload.metadata = metadata;
    void inFlight.track(
      ctx.dispatch(payload).then(
        () => undefined,
        (err: unknown) => {
          if (busMayRecover(err) || isImpulseError(err, 'CLOSED')) ctx.dropped();
          else {
            ctx.rejected();
            ctx.logger.error({ subject: msg.subject, err: (err as Error).message }, 'message refused');
          }
        },
      ),
    );
  };
  const subscription = nc.subscribe(config.subject, {
    ...(config.queue ? { queue: config.queue } : {}),
    callback: (err, msg) => {
      if (!err) deliver(msg);
    },
  });
  try {
    // The subscription is in place once the server has answered a round trip after it.
    await nc.flush();
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw err;
  }
  return {
    lost: nc.closed().then((err) => err ?? new Error('the NATS connection closed')),
    async close() {
      subscription.unsubscribe();
      await inFlight.drain();
      await nc.close().catch(() => undefined);
    },
  };
}
