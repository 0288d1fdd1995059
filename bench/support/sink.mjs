/**
 * The local sink of `npm run bench:e2e`: counts distinct event ids POSTed by the sensor's HTTP
 * trigger and measures webhook-to-sink latency from the `sentAt` the load generator put in each
 * event. `GET /stats` answers {received, unique, latencies, firstAt, lastAt} (first and last arrival,
 * ms since the epoch); `POST /reset` clears. Args: PORT.
 */
import { createServer } from 'node:http';

const now = () => performance.timeOrigin + performance.now();
const seen = new Set();
let received = 0;
let latencies = [];
let firstAt = 0;
let lastAt = 0;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ received, unique: seen.size, latencies, firstAt, lastAt }));
    return;
  }
  if (req.method === 'POST' && req.url === '/reset') {
    seen.clear();
    received = 0;
    latencies = [];
    firstAt = 0;
    lastAt = 0;
    res.writeHead(204).end();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const at = now();
    received++;
    if (firstAt === 0) firstAt = at;
    lastAt = at;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      seen.add(body.id);
      latencies.push(at - Number(body.sentAt));
    } catch {
      // counted as received, not as a distinct event
    }
    res.writeHead(200).end();
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('ready\n'));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
