import { readFileSync } from 'node:fs';
import { type ClientTls, resolveClientTls } from '../core/client-tls.ts';
import { ImpulseError, toImpulseError } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import { createSecretResolver, type SecretRef, type SecretResolver } from '../core/secrets.ts';
import type { EventBus as EventBusObject } from '../crds/index.ts';
import { createEventBus, DEFAULT_BUS_URL, type EventBus, type EventBusOptions } from '../eventbus/index.ts';

/** The environment variables a process reads its bus TLS from (the controller mounts the files). */
export const BUS_TLS_ENV = {
  ca: 'IMPULSE_BUS_TLS_CA_FILE',
  cert: 'IMPULSE_BUS_TLS_CERT_FILE',
  key: 'IMPULSE_BUS_TLS_KEY_FILE',
  insecure: 'IMPULSE_BUS_TLS_INSECURE',
} as const;

/** What `createEventBus` needs to reach the bus, besides a logger and a signal; files and secrets read. */
export type BusConnectionSettings = Required<Pick<EventBusOptions, 'url'>> &
  Pick<EventBusOptions, 'name' | 'credentialsFile' | 'credentials' | 'tls' | 'tlsSetting'>;

export interface BusConnectionSources {
  /** `--bus`. */
  url?: string;
  /** `--bus-name`. */
  name?: string;
  /** An EventBus found next to the object (a local run, `impulse dev`). */
  eventBus?: EventBusObject;
  /** The object's `spec.eventBusName`. */
  eventBusName?: string;
  /** Used when neither a flag, the environment nor the EventBus names a URL. @default DEFAULT_BUS_URL */
  fallbackUrl?: string;
  env?: NodeJS.ProcessEnv;
  secrets?: SecretResolver;
}

/**
 * The one place processes and CLI commands decide how to connect to the bus: a flag first, then the
 * environment the controller sets (IMPULSE_BUS_URL, IMPULSE_BUS_NAME, IMPULSE_BUS_CREDENTIALS_FILE,
 * IMPULSE_BUS_TLS_*), then an EventBus in the same file (`jetstreamExotic.url`, `accessSecret` and
 * `tls`, read through the secret resolver). Files and secrets are read once, here, so a missing one
 * stops the process at startup with the variable or field that names it.
 */
export function resolveBusConnection(sources: BusConnectionSources): BusConnectionSettings {
  const env = sources.env ?? process.env;
  const exotic = sources.eventBus?.spec.jetstreamExotic;
  const settings: BusConnectionSettings = {
    url: busUrl(sources) ?? sources.fallbackUrl ?? DEFAULT_BUS_URL,
    name: sources.name ?? env.IMPULSE_BUS_NAME ?? sources.eventBusName ?? 'default',
  };
  const where = `EventBus ${sources.eventBus?.metadata.name ?? 'default'}: spec.jetstreamExotic`;
  const secrets = () => sources.secrets ?? createSecretResolver({ env });
  if (env.IMPULSE_BUS_CREDENTIALS_FILE) settings.credentialsFile = env.IMPULSE_BUS_CREDENTIALS_FILE;
  else if (exotic?.accessSecret)
    settings.credentials = namedSecrets(
      secrets(),
      new Map([[exotic.accessSecret, `${where}.accessSecret`]]),
    ).get(exotic.accessSecret);
  const fromEnv = tlsFromEnv(env);
  if (fromEnv) Object.assign(settings, fromEnv);
  else if (exotic?.tls) {
    settings.tls = eventBusTls(exotic.tls, where, secrets());
    settings.tlsSetting = `${where}.tls`;
  }
  return settings;
}

/** The flags of the one-shot commands that use the bus (`send`, `dlq`). */
export interface BusCommandFlags {
  bus?: string;
  busName?: string;
  /** Seconds. */
  timeout: string;
}

/**
 * Connects a one-shot command within `--timeout` seconds, as a process would (flags, then the
 * environment); a bus that does not answer in time is `BUS_UNAVAILABLE`, a TLS problem stays what
 * it is (waiting longer would not help).
 */
export async function openBusForCommand(
  flags: BusCommandFlags,
  announce?: (settings: BusConnectionSettings) => void,
): Promise<EventBus & AsyncDisposable> {
  const settings = resolveBusConnection({ url: flags.bus, name: flags.busName });
  announce?.(settings);
  const signal = AbortSignal.timeout(Number(flags.timeout) * 1000);
  return createEventBus({ ...settings, logger: silentLogger(), signal }).catch((err: unknown) => {
    if (err instanceof ImpulseError && err.code === 'PERMANENT') throw err;
    throw new ImpulseError(
      'BUS_UNAVAILABLE',
      `cannot reach the EventBus at ${redactBusUrl(settings.url)} within ${flags.timeout} s: ${(err as Error).message}`,
      { cause: err },
    );
  });
}

/** The URL a flag, the environment or the EventBus names; undefined when none does. */
export function busUrl(sources: Pick<BusConnectionSources, 'url' | 'eventBus' | 'env'>): string | undefined {
  const env = sources.env ?? process.env;
  return sources.url ?? env.IMPULSE_BUS_URL ?? sources.eventBus?.spec.jetstreamExotic?.url;
}

/** Hides the user and password of a URL, for logs. */
export function redactBusUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

/** TLS from IMPULSE_BUS_TLS_* (files the controller mounts), read now; undefined when none is set. */
function tlsFromEnv(env: NodeJS.ProcessEnv): Pick<BusConnectionSettings, 'tls' | 'tlsSetting'> | undefined {
  const insecure = env[BUS_TLS_ENV.insecure];
  if (insecure !== undefined && insecure !== 'true' && insecure !== 'false') {
    throw new ImpulseError(
      'INVALID_INPUT',
      `${BUS_TLS_ENV.insecure}: expected true or false, got "${insecure}"`,
    );
  }
  const files = (['ca', 'cert', 'key'] as const).filter((k) => env[BUS_TLS_ENV[k]]);
  if (files.length === 0 && insecure !== 'true') return undefined;
  if (files.includes('cert') !== files.includes('key')) {
    const missing = files.includes('cert') ? BUS_TLS_ENV.key : BUS_TLS_ENV.cert;
    throw new ImpulseError(
      'INVALID_INPUT',
      `${missing}: client certificates need both ${BUS_TLS_ENV.cert} and ${BUS_TLS_ENV.key}; set it`,
    );
  }
  const tls: ClientTls = { rejectUnauthorized: insecure !== 'true' };
  for (const k of files) tls[k] = readTlsFile(BUS_TLS_ENV[k], env[BUS_TLS_ENV[k]]!);
  const named = files.map((k) => `${BUS_TLS_ENV[k]} (${env[BUS_TLS_ENV[k]]})`);
  if (insecure === 'true') named.push(`${BUS_TLS_ENV.insecure}=true`);
  return { tls, tlsSetting: named.join(', ') };
}

function readTlsFile(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ImpulseError(
      'INVALID_INPUT',
      `${variable}: cannot read ${path} (${reason}); mount the file or unset ${variable}`,
      {
        cause: err,
      },
    );
  }
}

/**
 * `jetstreamExotic.tls` through the secret resolver. Unlike a source's `tls`, `insecureSkipVerify`
 * keeps a client certificate (the controller connects with it too, and a server may ask for one).
 */
function eventBusTls(
  tls: NonNullable<NonNullable<EventBusObject['spec']['jetstreamExotic']>['tls']>,
  where: string,
  secrets: SecretResolver,
): ClientTls | undefined {
  const fields = new Map<SecretRef, string>();
  for (const field of ['caCertSecret', 'clientCertSecret', 'clientKeySecret'] as const) {
    const ref = tls[field];
    if (ref) fields.set(ref, `${where}.tls.${field}`);
  }
  const block = tls.insecureSkipVerify ? { ...tls, insecureSkipVerify: false, enabled: true } : tls;
  const resolved = resolveClientTls(block, where, namedSecrets(secrets, fields));
  return resolved && tls.insecureSkipVerify ? { ...resolved, rejectUnauthorized: false } : resolved;
}

/** A resolver whose errors start with the field that named the secret. */
function namedSecrets(secrets: SecretResolver, fields: Map<SecretRef, string>): SecretResolver {
  return {
    known: secrets.known,
    find: (ref) => secrets.find(ref),
    get(ref) {
      try {
        return secrets.get(ref);
      } catch (err) {
        const error = toImpulseError(err);
        throw new ImpulseError(error.code, `${fields.get(ref) ?? 'EventBus'}: ${error.message}`, {
          cause: err,
          details: error.details,
        });
      }
    },
  };
}
