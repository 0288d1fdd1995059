import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local S3-compatible endpoint for tests: serves `objects` at `/<bucket>/<key>` (path style) and
 * answers 403 `SignatureDoesNotMatch` unless the request carries a valid AWS SigV4 signature for
 * `accessKey`/`secretKey`. The check is written here from the published algorithm, separately from
 * the code under test.
 */
export async function startS3Server(options: {
  accessKey: string;
  secretKey: string;
  region: string;
  objects: Record<string, string>;
}) {
  const checked: Array<{ path: string; ok: boolean; reason?: string }> = [];
  const server = createServer((req, res) => {
    const verdict = verify(req, options);
    checked.push({ path: req.url ?? '', ...verdict });
    if (!verdict.ok) {
      res
        .writeHead(403, { 'content-type': 'application/xml' })
        .end(`<Error><Code>SignatureDoesNotMatch</Code><Message>${verdict.reason}</Message></Error>`);
      return;
    }
    const body = options.objects[decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)];
    if (body === undefined) {
      res.writeHead(404).end('<Error><Code>NoSuchKey</Code></Error>');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/yaml' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `127.0.0.1:${port}`,
    checked,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function verify(
  req: IncomingMessage,
  o: { accessKey: string; secretKey: string; region: string },
): { ok: boolean; reason?: string } {
  const auth = req.headers.authorization ?? '';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) return { ok: false, reason: 'no SigV4 Authorization header' };
  const [, key, day, region, signedHeaders, signature] = m as unknown as string[];
  if (key !== o.accessKey) return { ok: false, reason: 'unknown access key' };
  if (region !== o.region) return { ok: false, reason: `wrong region ${region}` };
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(day!)) return { ok: false, reason: 'x-amz-date does not match the scope' };
  const names = signedHeaders!.split(';');
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256']) {
    if (!names.includes(required)) return { ok: false, reason: `${required} is not signed` };
  }
  const url = new URL(req.url ?? '/', 'http://x');
  const query = [...url.searchParams]
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .sort()
    .join('&');
  const headers = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim()}\n`).join('');
  const canonical = [
    req.method,
    url.pathname,
    query,
    headers,
    signedHeaders,
    req.headers['x-amz-content-sha256'],
  ].join('\n');
  const toSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    `${day}/${region}/s3/aws4_request`,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  let k: Buffer = createHmac('sha256', `AWS4${o.secretKey}`).update(day!).digest();
  for (const part of [region!, 's3', 'aws4_request']) k = createHmac('sha256', k).update(part).digest();
  const expected = createHmac('sha256', k).update(toSign).digest('hex');
  return expected === signature ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}
