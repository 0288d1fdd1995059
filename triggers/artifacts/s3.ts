import { ImpulseError } from '../../core/errors.ts';
import type { SecretResolver } from '../../core/secrets.ts';
import type { ArtifactLocation } from '../../crds/index.ts';
import { httpGet } from './http-get.ts';
import { signV4, uriEncode } from './sigv4.ts';

/** Argo's S3Artifact. */
type S3Artifact = NonNullable<ArtifactLocation['s3']>;

/** @default region when the artifact names none, as S3 clients assume */
const DEFAULT_REGION = 'us-east-1';

/**
 * Reads `bucket.key` from an S3-compatible endpoint with a path-style GET
 * (`<endpoint>/<bucket>/<key>`), signed with SigV4 when `accessKey` and `secretKey` are set
 * (anonymous otherwise). `endpoint` is `host:port` as in Argo Events (HTTPS unless `insecure`), or a
 * full URL. `caCertificate` adds a CA to trust.
 */
export async function readS3(s3: S3Artifact, secrets: SecretResolver, signal?: AbortSignal): Promise<string> {
  const key = s3.bucket.key;
  if (!key) {
    throw new ImpulseError('INVALID_INPUT', 'source.s3.bucket.key: name the object to read');
  }
  const base = /^https?:\/\//.test(s3.endpoint)
    ? new URL(s3.endpoint)
    : new URL(`${s3.insecure ? 'http' : 'https'}://${s3.endpoint}`);
  const prefix = base.pathname.replace(/\/+$/, '');
  const path = `${prefix}/${uriEncode(s3.bucket.name)}/${uriEncode(key, true)}`;
  const url = new URL(path, base);
  let headers: Record<string, string> = {};
  if (s3.accessKey && s3.secretKey) {
    headers = signV4({
      method: 'GET',
      host: url.host,
      path,
      region: s3.region || DEFAULT_REGION,
      // Argo Events trims the keys read from Secrets; a trailing newline in a mounted file is common.
      accessKey: secrets.get(s3.accessKey).trim(),
      secretKey: secrets.get(s3.secretKey).trim(),
    });
    delete headers.host;
  }
  return httpGet(url, {
    what: `source.s3 bucket ${s3.bucket.name} key ${key} at`,
    headers,
    ca: s3.caCertificate ? secrets.get(s3.caCertificate) : undefined,
    signal,
  });
}
