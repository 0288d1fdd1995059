/**
 * Request headers in the shape Argo Events puts in its payloads: Go's `http.Header`, a map from the
 * canonical header name (`X-Github-Event`) to every value received, in order.
 */

/** Header values by Go-canonical name. */
export type HeaderMap = Record<string, string[]>;

// RFC 9110 `tchar`: the bytes Go accepts in a header name. A name with any other byte is left alone.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * The canonical form Go's `textproto.CanonicalMIMEHeaderKey` gives a header name: the first letter
 * and every letter after a `-` upper-case, all other letters lower-case (`x-github-event` ->
 * `X-Github-Event`). A name that is not a valid HTTP token is returned unchanged, as Go does.
 */
export function canonicalHeaderName(name: string): string {
  if (!TOKEN.test(name)) return name;
  let out = '';
  let upper = true;
  for (const c of name) {
    out += upper ? c.toUpperCase() : c.toLowerCase();
    upper = c === '-';
  }
  return out;
}

// Requests carry a handful of distinct names; remembering them keeps the request path cheap.
const cache = new Map<string, string>();
const CACHE_LIMIT = 1000;

function canonical(name: string): string {
  let value = cache.get(name);
  if (value === undefined) {
    value = canonicalHeaderName(name);
    if (cache.size < CACHE_LIMIT) cache.set(name, value);
  }
  return value;
}

/**
 * Go drops these from `http.Request.Header` (the host moves to `Request.Host`, the transfer
 * coding is consumed by the server), so Argo payloads never carry them.
 */
const NOT_IN_GO_HEADER = new Set(['Host', 'Transfer-Encoding']);

/**
 * Builds the header map of a request from Node's `rawHeaders` (name, value, name, value, ...): one
 * entry per canonical name, with each received line's value in order and nothing joined.
 * The object has no prototype, so a header named `__proto__` is just a key.
 */
export function headerMap(rawHeaders: readonly string[]): HeaderMap {
  const map: HeaderMap = Object.create(null);
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = canonical(rawHeaders[i]!);
    if (NOT_IN_GO_HEADER.has(name)) continue;
    const values = map[name];
    if (values) values.push(rawHeaders[i + 1]!);
    else map[name] = [rawHeaders[i + 1]!];
  }
  return map;
}
