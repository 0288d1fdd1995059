import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { ImpulseError } from '../core/errors.ts';
import type { BusSettings } from './bus-settings.ts';
import type { ClusterApi } from './cluster-api.ts';

/** How long the controller waits for a NATS server to answer before calling it unreachable. */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * What the controller connects to an EventBus's NATS with: the URL and `.creds` its processes use
 * (a managed bus: the Service and the generated user; an existing NATS: `url` and `accessSecret`),
 * plus the existing NATS's TLS material. Values are read from the Secrets, never logged.
 */
export interface BusAccess {
  url: string;
  /** The content of a NATS `.creds` file. */
  credentials?: string;
  /** Node TLS options for nats.js (`ca`, `cert`, `key` as PEM text). */
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean };
}

/** A Secret key, read through the API; a missing Secret or key is `SECRET_MISSING`, naming the field. */
async function secretValue(
  api: ClusterApi,
  namespace: string,
  ref: { name: string; key: string },
  field: string,
): Promise<string> {
  const secret = await api.read<{ data?: Record<string, string> }>(
    { apiVersion: 'v1', kind: 'Secret' },
    namespace,
    ref.name,
  );
  const encoded = secret?.data?.[ref.key];
  if (encoded === undefined)
    throw new ImpulseError(
      'SECRET_MISSING',
      `${field}: Secret ${namespace}/${ref.name} ${secret ? `has no key "${ref.key}"` : 'does not exist'}; create it`,
    );
  return Buffer.from(encoded, 'base64').toString('utf8');
}

/** Reads what connecting to the bus of `settings` needs (the Secrets it names, in `namespace`). */
export async function busAccess(
  api: ClusterApi,
  namespace: string,
  settings: BusSettings,
): Promise<BusAccess> {
  const exotic = settings.kind === 'jetstreamExotic';
  const credentials = settings.credentials
    ? await secretValue(
        api,
        namespace,
        { name: settings.credentials.secretName, key: settings.credentials.key },
        exotic ? 'spec.jetstreamExotic.accessSecret' : 'the generated NATS credentials',
      )
    : undefined;
  const tls = settings.tls;
  if (!tls) return { url: settings.url, ...(credentials ? { credentials } : {}) };
  const read = async (ref: { name: string; key: string } | undefined, field: string) =>
    ref ? await secretValue(api, namespace, ref, `spec.jetstreamExotic.tls.${field}`) : undefined;
  const [ca, cert, key] = await Promise.all([
    read(tls.caCertSecret, 'caCertSecret'),
    read(tls.clientCertSecret, 'clientCertSecret'),
    read(tls.clientKeySecret, 'clientKeySecret'),
  ]);
  return {
    url: settings.url,
    ...(credentials ? { credentials } : {}),
    tls: {
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(tls.insecureSkipVerify ? { rejectUnauthorized: false } : {}),
    },
  };
}

/**
 * One connection attempt, no reconnects: the controller reports an unreachable NATS as a condition
 * and retries through its work queue with backoff rather than waiting inside a reconcile.
 */
export async function connectToBus(access: BusAccess, signal: AbortSignal): Promise<NatsConnection> {
  if (signal.aborted) throw new ImpulseError('CLOSED', 'aborted before connecting to NATS');
  try {
    const nc = await connect({
      servers: access.url.split(',').map((s) => s.trim()),
      name: 'impulse-controller',
      reconnect: false,
      timeout: CONNECT_TIMEOUT_MS,
      ...(access.credentials
        ? { authenticator: credsAuthenticator(new TextEncoder().encode(access.credentials)) }
        : {}),
      ...(access.tls ? { tls: access.tls } : {}),
    });
    if (signal.aborted) {
      await nc.close();
      throw new ImpulseError('CLOSED', 'aborted while connecting to NATS');
    }
    return nc;
  } catch (err) {
    if (err instanceof ImpulseError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new ImpulseError('BUS_UNAVAILABLE', `cannot connect to NATS at ${access.url}: ${reason}`, {
      cause: err,
    });
  }
}
