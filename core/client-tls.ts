import { ImpulseError } from './errors.ts';
import type { SecretRef, SecretResolver } from './secrets.ts';

/** Argo Events' `TLSConfig` block. */
export interface TlsConfigBlock {
  caCertSecret?: SecretRef;
  clientCertSecret?: SecretRef;
  clientKeySecret?: SecretRef;
  insecureSkipVerify?: boolean;
  enabled?: boolean;
}

/** Client TLS settings, in the shape Node's `tls.connect` (and the clients built on it) takes. */
export interface ClientTls {
  ca?: string;
  cert?: string;
  key?: string;
  /** False with `insecureSkipVerify`. */
  rejectUnauthorized: boolean;
}

/**
 * Reads a `tls` block (Argo Events' `TLSConfig`) once, at startup: `caCertSecret` to trust a private
 * CA, `clientCertSecret` with `clientKeySecret` for client certificates, `insecureSkipVerify` to trust
 * anything (as in Argo Events, it makes the other fields unnecessary), or `enabled: true` for TLS
 * against a publicly trusted server. Errors name the field; secret values never appear.
 */
export function resolveClientTls(
  tls: TlsConfigBlock | undefined,
  path: string,
  secrets: SecretResolver,
): ClientTls | undefined {
  if (!tls) return undefined;
  const where = `${path}.tls`;
  if (tls.insecureSkipVerify) return { rejectUnauthorized: false };
  const { caCertSecret, clientCertSecret, clientKeySecret } = tls;
  if (!tls.enabled && !caCertSecret && !clientCertSecret && !clientKeySecret) {
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${where}: set caCertSecret, clientCertSecret with clientKeySecret, insecureSkipVerify or enabled`,
    );
  }
  if (!clientCertSecret !== !clientKeySecret) {
    const missing = clientCertSecret ? 'clientKeySecret' : 'clientCertSecret';
    throw new ImpulseError(
      'INVALID_MANIFEST',
      `${where}.${missing}: client certificates need both clientCertSecret and clientKeySecret`,
    );
  }
  const out: ClientTls = { rejectUnauthorized: true };
  if (caCertSecret) out.ca = secrets.get(caCertSecret);
  if (clientCertSecret && clientKeySecret) {
    out.cert = secrets.get(clientCertSecret);
    out.key = secrets.get(clientKeySecret);
  }
  return out;
}
