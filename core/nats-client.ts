import type { ConnectionOptions } from '@nats-io/transport-node';
import { type ClientTls, resolveClientTls, type TlsConfigBlock } from './client-tls.ts';
import { ImpulseError } from './errors.ts';
import type { SecretRef, SecretResolver } from './secrets.ts';

/** Argo Events' NATS `auth` block: set one kind. */
export interface NatsAuthBlock {
  basic?: { username?: SecretRef; password?: SecretRef };
  token?: SecretRef;
  nkey?: SecretRef;
  credential?: SecretRef;
}

/** NATS credentials and TLS read from their secrets, once, at startup. */
export interface NatsClientAuth {
  basic?: { user: string; pass: string };
  token?: string;
  /** An NKey seed (`SU...`). */
  nkeySeed?: string;
  /** A `.creds` file's content. */
  creds?: string;
  tls?: ClientTls;
  /** Values no message may show. */
  secrets: string[];
}

/**
 * Reads `auth` (`basic`; `token`; `nkey`, the seed; `credential`, a `.creds` file's content; all
 * from secrets) and `tls`. Errors name the field; secret values never appear in them.
 */
export function resolveNatsAuth(
  auth: NatsAuthBlock | undefined,
  tls: TlsConfigBlock | undefined,
  path: string,
  secrets: SecretResolver,
): NatsClientAuth {
  const resolved: NatsClientAuth = { secrets: [] };
  const kinds = auth ? (['basic', 'token', 'nkey', 'credential'] as const).filter((k) => auth[k]) : [];
  if (kinds.length > 1) {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${path}.auth: set one of basic, token, nkey or credential, found ${kinds.join(' and ')}`,
    );
  }
  if (auth?.basic) {
    const { username, password } = auth.basic;
    if (!username || !password) {
      throw new ImpulseError('INVALID_MANIFEST', `${path}.auth.basic: set username and password`);
    }
    resolved.basic = { user: secrets.get(username), pass: secrets.get(password) };
    resolved.secrets.push(resolved.basic.pass);
  } else if (auth?.token) {
    resolved.token = secrets.get(auth.token).trim();
    resolved.secrets.push(resolved.token);
  } else if (auth?.nkey) {
    resolved.nkeySeed = secrets.get(auth.nkey).trim();
    resolved.secrets.push(resolved.nkeySeed);
  } else if (auth?.credential) {
    resolved.creds = secrets.get(auth.credential);
  }
  const clientTls = resolveClientTls(tls, path, secrets);
  if (clientTls) resolved.tls = clientTls;
  return resolved;
}

/** The `connect` options for resolved credentials: an authenticator and TLS (loads the client). */
export async function natsConnectOptions(
  auth: NatsClientAuth,
): Promise<Pick<ConnectionOptions, 'authenticator' | 'tls'>> {
  const nats = await import('@nats-io/transport-node');
  const encode = (text: string) => new TextEncoder().encode(text);
  const options: Pick<ConnectionOptions, 'authenticator' | 'tls'> = {};
  if (auth.basic)
    options.authenticator = nats.usernamePasswordAuthenticator(auth.basic.user, auth.basic.pass);
  else if (auth.token) options.authenticator = nats.tokenAuthenticator(auth.token);
  else if (auth.nkeySeed) options.authenticator = nats.nkeyAuthenticator(encode(auth.nkeySeed));
  else if (auth.creds) options.authenticator = nats.credsAuthenticator(encode(auth.creds));
  if (auth.tls) options.tls = auth.tls as ConnectionOptions['tls'];
  return options;
}
