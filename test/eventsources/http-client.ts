import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface SendOptions {
  method?: string;
  /** A record, or `[name, value]` pairs to send a header more than once. */
  headers?: Record<string, string> | Array<[string, string]>;
  body?: string | Buffer;
  /** CA to trust for https URLs. */
  ca?: string;
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (throws if it is not). */
  json: Record<string, unknown>;
}

/**
 * One HTTP(S) request with full control over methods and repeated headers (which `fetch` joins),
 * on a fresh connection so no keep-alive socket outlives the test.
 */
export function send(url: string, options: SendOptions = {}): Promise<Answer> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      { method: options.method ?? 'POST', agent: false, ...(options.ca ? { ca: options.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            get json() {
              return JSON.parse(text) as Record<string, unknown>;
            },
          });
        });
      },
    );
    req.on('error', reject);
    const headers = Array.isArray(options.headers) ? options.headers : Object.entries(options.headers ?? {});
    // Repeated names (in any case) go out as one header line per value.
    const grouped = new Map<string, { name: string; values: string[] }>();
    for (const [name, value] of headers) {
      const entry = grouped.get(name.toLowerCase());
      if (entry) entry.values.push(value);
      else grouped.set(name.toLowerCase(), { name, values: [value] });
    }
    for (const { name, values } of grouped.values())
      req.setHeader(name, values.length === 1 ? values[0]! : values);
    req.end(options.body);
  });
}

/** POSTs `data` as JSON. */
export function postJson(url: string, data: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return send(url, {
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(data),
  });
}
