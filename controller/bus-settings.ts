import type { EventBus, TLSConfig } from '../crds/index.ts';
import { childName } from './names.ts';
import { defaultStreamConfig, type ResolvedStream, resolveStreamConfig } from './stream-settings.ts';

/** Where a process finds its EventBus: what the controller puts in its environment. */
export interface BusSettings {
  /** `jetstream`: the controller's NATS; `jetstreamExotic`: an existing one. */
  kind: 'jetstream' | 'jetstreamExotic';
  /** IMPULSE_BUS_URL */
  url: string;
  /** IMPULSE_BUS_NAME: the stream name and subject prefix. */
  name: string;
  /** The Secret key mounted as IMPULSE_BUS_CREDENTIALS_FILE (a NATS `.creds` file), if any. */
  credentials?: { secretName: string; key: string };
  /** The stream settings: the defaults, overridden by `streamConfig` (as status.config shows them). */
  streamConfig: Record<string, unknown>;
  /** The stream the controller provisions, or what in `streamConfig` prevents it. */
  stream: { resolved: ResolvedStream } | { problem: string };
  /** The field of `streamConfig`, for messages: `spec.jetstreamExotic.streamConfig`. */
  streamConfigPath: string;
  /** An existing NATS's TLS settings (`jetstreamExotic.tls`); processes get them as IMPULSE_BUS_TLS_* files. */
  tls?: TLSConfig;
}

export const NATS_CLIENT_PORT = 4222;
export const NATS_CLUSTER_PORT = 6222;
export const NATS_MONITOR_PORT = 8222;

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
  // The defaults of ARCHITECTURE.md's EventBus table; a clustered managed bus keeps 3 copies.
  const replicas = Math.min(bus.spec.jetstream?.replicas ?? (exotic ? 1 : 3), 3);
  const streamConfigPath = `spec.${exotic ? 'jetstreamExotic' : 'jetstream'}.streamConfig`;
  const read = resolveStreamConfig(raw, replicas, streamConfigPath, name);
  const stream = 'stream' in read ? { resolved: read.stream } : read;
  const streamConfig = 'stream' in read ? read.stream.config : defaultStreamConfig(replicas);
  const common = {
    kind: exotic ? ('jetstreamExotic' as const) : ('jetstream' as const),
    name,
    streamConfig,
    stream,
    streamConfigPath,
  };
  if (exotic) {
    const secret = exotic.accessSecret;
    return {
      url: exotic.url,
      ...common,
      ...(secret ? { credentials: { secretName: secret.name, key: secret.key } } : {}),
      ...(exotic.tls ? { tls: exotic.tls } : {}),
    };
  }
  const names = natsNames(name);
  return {
    url: `nats://${names.service}.${bus.metadata.namespace}.svc:${NATS_CLIENT_PORT}`,
    ...common,
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
