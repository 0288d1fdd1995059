import { type EventBus, readStreamConfig } from '../crds/index.ts';
import { childName } from './names.ts';

/** Where a process finds its EventBus: what the controller puts in its environment. */
export interface BusSettings {
  /** IMPULSE_BUS_URL */
  url: string;
  /** IMPULSE_BUS_NAME: the stream name and subject prefix. */
  name: string;
  /** The Secret key mounted as IMPULSE_BUS_CREDENTIALS_FILE (a NATS `.creds` file), if any. */
  credentials?: { secretName: string; key: string };
  /** The stream settings: the defaults, overridden by `streamConfig`. */
  streamConfig: Record<string, unknown>;
}

export const NATS_CLIENT_PORT = 4222;
export const NATS_CLUSTER_PORT = 6222;
export const NATS_MONITOR_PORT = 8222;
const STREAM_DEFAULTS = {
  retention: 'limits',
  discard: 'new',
  maxAge: '72h',
  maxBytes: 1024 * 1024 * 1024,
  duplicates: '5m',
};

/** The key of the user credentials in a managed bus's auth Secret. */
export const CREDENTIALS_KEY = 'credentials';

/** The names of what the controller creates for a managed (`jetstream`) EventBus. */
export function natsNames(busName: string) {
  return {
    statefulSet: childName(busName, 'eventbus-nats'),
    service: childName(busName, 'eventbus-nats'),
    config: childName(busName, 'eventbus-nats-config', 253),
    auth: childName(busName, 'eventbus-nats-auth', 253),
  };
}

/**
 * The settings processes use for an EventBus: for `jetstreamExotic` its URL and `accessSecret`; for
 * a managed `jetstream` bus the headless Service of the controller's NATS and the user credentials
 * in the auth Secret it generates.
 */
export function busSettings(bus: EventBus): BusSettings {
  const name = bus.metadata.name ?? 'default';
  const exotic = bus.spec.jetstreamExotic;
  const raw = bus.spec.jetstream?.streamConfig ?? exotic?.streamConfig;
  const given = raw === undefined ? {} : (readStreamConfig(raw).config ?? {});
  // The defaults of ARCHITECTURE.md's EventBus table; a clustered managed bus keeps 3 copies.
  const replicas = Math.min(bus.spec.jetstream?.replicas ?? (exotic ? 1 : 3), 3);
  const streamConfig = { ...STREAM_DEFAULTS, replicas, ...given };
  if (exotic) {
    const secret = exotic.accessSecret;
    return {
      url: exotic.url,
      name,
      streamConfig,
      ...(secret ? { credentials: { secretName: secret.name, key: secret.key } } : {}),
    };
  }
  const names = natsNames(name);
  return {
    url: `nats://${names.service}.${bus.metadata.namespace}.svc:${NATS_CLIENT_PORT}`,
    name,
    streamConfig,
    credentials: { secretName: names.auth, key: CREDENTIALS_KEY },
  };
}

/** `status.config.jetstream` of an EventBus: what processes connect to. */
export function busStatusConfig(settings: BusSettings) {
  return {
    jetstream: {
      url: settings.url,
      ...(settings.credentials
        ? { accessSecret: { name: settings.credentials.secretName, key: settings.credentials.key } }
        : {}),
      streamConfig: settings.streamConfig,
    },
  };
}
