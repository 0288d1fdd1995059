import { Agent, request } from 'node:http';
import { percentile } from './processes.ts';

const now = () => performance.timeOrigin + performance.now();

/**
 * An open-loop load at a fixed rate: request i leaves at start + i/rate whatever happened to the
 * ones before, and carries `sentAt` taken at the moment it is sent (a generator that stamps requests
 * when it builds them would count its own queueing as latency).
 */
export async function sendPaced(
  url: string,
  rate: number,
  seconds: number,
): Promise<{ sent: number; ok: number; p50: number; p99: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const target = new URL(url);
  const total = Math.round(rate * seconds);
  const answers: Promise<number | undefined>[] = [];
  const latencies: number[] = [];
  const start = now();
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const sentAt = now();
    const body = JSON.stringify({
      id: `paced-${i}-${sentAt}`,
      sentAt: String(sentAt),
      message: 'hello from bench',
      n: i,
    });
    answers.push(
      new Promise((resolve) => {
        const req = request(
          target,
          {
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              latencies.push(now() - sentAt);
              resolve(res.statusCode);
            });
          },
        );
        req.on('error', () => resolve(undefined));
        req.end(body);
      }),
    );
  }
  const statuses = await Promise.all(answers);
  agent.destroy();
  return {
    sent: total,
    ok: statuses.filter((s) => s === 200).length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
