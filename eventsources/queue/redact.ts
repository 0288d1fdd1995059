/**
 * A URL as it may appear in logs and errors: the password (and a token in the user part) replaced
 * with `***`. Text that is not a URL (`host:port`) is returned as it is.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password && !parsed.username) return url;
    if (parsed.password) parsed.password = '***';
    else parsed.username = '***';
    return parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** `message` with every occurrence of each secret (a password, a token) replaced by `***`. */
export function scrub(message: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = message;
  for (const secret of secrets) {
    // Very short secrets would mangle ordinary words; they are not in messages by chance.
    if (secret && secret.length >= 3) out = out.split(secret).join('***');
  }
  return out;
}
