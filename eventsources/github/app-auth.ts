import { createSign } from 'node:crypto';
import { ImpulseError } from '../../core/errors.ts';
import { createApiClient } from '../git-hooks/api-client.ts';

export interface GithubAppCredentials {
  appId: number;
  installationId: number;
  /** The App's private key, PEM. */
  privateKey: string;
  /** The API root, e.g. `https://api.github.com/`. */
  baseUrl: string;
}

/** Renew an installation token this long before GitHub says it expires. */
const RENEW_BEFORE_MS = 60_000;

/**
 * Authentication as a GitHub App installation: a JWT signed with the App's private key (RS256,
 * valid for 9 minutes, issued a minute in the past for clock drift) buys an installation token
 * (`POST /app/installations/{id}/access_tokens`), which is kept until shortly before it expires.
 * Resolves with the headers for each API call.
 */
export function githubAppAuth(
  credentials: GithubAppCredentials,
): (signal?: AbortSignal) => Promise<Record<string, string>> {
  let cached: { token: string; renewAt: number } | undefined;
  const client = createApiClient({
    baseUrl: credentials.baseUrl,
    what: 'GitHub API',
    auth: () => ({ authorization: `Bearer ${appJwt(credentials)}` }),
  });
  return async (signal) => {
    if (!cached || Date.now() >= cached.renewAt) {
      const { data } = await client.request<{ token?: string; expires_at?: string }>(
        'POST',
        `app/installations/${credentials.installationId}/access_tokens`,
        undefined,
        signal,
      );
      if (typeof data?.token !== 'string') {
        throw new ImpulseError('PERMANENT', 'GitHub API: the installation token answer has no token');
      }
      const expires = Date.parse(data.expires_at ?? '') || Date.now() + 3_600_000;
      cached = { token: data.token, renewAt: expires - RENEW_BEFORE_MS };
    }
    return { authorization: `Bearer ${cached.token}` };
  };
}

/** The App's JWT: `iss` the App id, `iat` a minute ago, `exp` in nine minutes. */
export function appJwt(
  credentials: Pick<GithubAppCredentials, 'appId' | 'privateKey'>,
  now = Date.now(),
): string {
  const seconds = Math.floor(now / 1000);
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ iat: seconds - 60, exp: seconds + 540, iss: String(credentials.appId) })}`;
  let signature: string;
  try {
    signature = createSign('RSA-SHA256').update(unsigned).sign(credentials.privateKey).toString('base64url');
  } catch (err) {
    throw new ImpulseError('PERMANENT', 'the GitHub App private key is not a usable PEM RSA key', {
      cause: err,
    });
  }
  return `${unsigned}.${signature}`;
}
