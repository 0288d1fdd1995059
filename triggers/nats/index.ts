import type { NatsConnection } from '@nats-io/transport-node';
import { ImpulseError } from '../../core/errors.ts';
import { natsConnectOptions, resolveNatsAuth } from '../../core/nats-client.ts';
import type { NATSTrigger } from '../../crds/index.ts';
import { applyParameters, constructPayload } from '../params/index.ts';
import type { Firing, TriggerContext, TriggerDriver, TriggerFactory, TriggerOutcome } from '../types.ts';

/** How long a publish may wait for the server to confirm it has the message. */
const FLUSH_TIMEOUT_MS = 5000;

/**
 * The `nats` trigger: publishes one message per firing to `subject`, its body built from `payload`
 * (as the HTTP trigger's body), after `parameters` have patched the nats block (Argo Events patches
 * it but then publishes to the unpatched subject; Impulse uses the patched one). The message carries
 * the firing id as `Nats-Msg-Id`, so a JetStream stream that captures the subject stores a retried
 * firing once. Core NATS has no acknowledgement from subscribers: success means the server took the
 * message (a round trip after it), and a failure to reach the server is retried.
 */
export const createNatsTrigger: TriggerFactory = ({ trigger, secrets, logger }) => {
  const spec = trigger.template.nats;
  const where = `trigger ${trigger.template.name}`;
  if (!spec) throw new ImpulseError('INVALID_MANIFEST', `${where} has no nats block`);
  const auth = resolveNatsAuth(spec.auth, spec.tls, `${where}.nats`, secrets);
  let connection: Promise<NatsConnection> | undefined;

  const connected = (url: string): Promise<NatsConnection> => {
    connection ??= (async () => {
      const { connect } = await import('@nats-io/transport-node');
      const nc = await connect({
        servers: url.split(',').map((s) => s.trim()),
        name: `impulse-trigger-${trigger.template.name}`,
        maxReconnectAttempts: -1,
        timeout: 10_000,
        ...(await natsConnectOptions(auth)),
      });
      logger.info({ server: nc.getServer() }, 'nats trigger connected');
      return nc;
    })();
    // A failed first connection is retried on the next firing.
    connection.catch(() => {
      connection = undefined;
    });
    return connection;
  };

  const driver: TriggerDriver<NATSTrigger> = {
    async execute(template: NATSTrigger, firing: Firing, _ctx: TriggerContext): Promise<TriggerOutcome> {
      const resolved = applyParameters(template, template.parameters, firing.events);
      const body = constructPayload(resolved.payload, firing.events) ?? '';
      let nc: NatsConnection;
      try {
        nc = await connected(resolved.url);
      } catch (err) {
        throw new ImpulseError('TRANSIENT', `${where}: cannot connect to NATS: ${(err as Error).message}`, {
          cause: err,
        });
      }
      const { headers } = await import('@nats-io/transport-node');
      const h = headers();
      h.set('Nats-Msg-Id', firing.id);
      try {
        nc.publish(resolved.subject, body, { headers: h });
        // While the server is away the client buffers and flush() waits for the reconnection.
        await withTimeout(nc.flush(), FLUSH_TIMEOUT_MS, `no answer from NATS within ${FLUSH_TIMEOUT_MS} ms`);
      } catch (err) {
        const code = err instanceof Error && /subject/i.test(err.message) ? 'PERMANENT' : 'TRANSIENT';
        throw new ImpulseError(
          code,
          `${where}: publishing to ${resolved.subject}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
      return { status: 'succeeded', detail: { subject: resolved.subject } };
    },
    async close() {
      const pending = connection;
      connection = undefined;
      const nc = await pending?.catch(() => undefined);
      await nc?.drain().catch(() => nc.close());
    },
  };
  return driver as TriggerDriver;
};

async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
