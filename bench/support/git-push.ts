/**
 * Phase (d) of `npm run bench:e2e`: signed GitHub pushes against the same run's plain webhook.
 * One EventSource process serves both on one port: `github` (`webhookSecret`, each request signed
 * with X-Hub-Signature-256 and carrying its own X-GitHub-Delivery) and `webhook` (no checks). Both
 * get the same real push payload of about 7 KB from @octokit/webhooks-examples, in alternating
 * rounds, so the ratio is what verifying, filtering and mapping a GitHub delivery costs.
 * `npx tsx bench/support/git-push.ts` runs this phase alone.
 */

import { execFileSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import autocannon from 'autocannon';
import { SERVICE_NODE_FLAGS } from '../../core/node-flags.ts';
import { startNatsServer } from '../../test/support/nats-server.ts';
import { freePort } from '../../test/support/ports.ts';
import { type BenchProcess, percentile, REPO, startProcess, untilHealthy } from './processes.ts';

export interface GitPushPhaseOptions {
  cli: string;
  natsUrl: string;
  dir: string;
  rounds: number;
  durationS: number;
  connections: number;
  say(line: string): void;
  /** Started processes are added here, so the caller reports their memory and stops them. */
  processes: BenchProcess[];
}

const SECRET = 'bench-hook-secret';
const BUS = 'benchd';

/** A real push delivery of about 7 KB. */
function pushPayload(): string {
  const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{
    name: string;
    examples: Array<{ ref: string }>;
  }>;
  const push = examples.find((e) => e.name === 'push')!.examples.find((e) => e.ref === 'refs/heads/master')!;
  return JSON.stringify(push);
}

export async function gitPushPhase(options: GitPushPhaseOptions): Promise<{ ratio: number }> {
  const { say } = options;
  const body = pushPayload();
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  const port = await freePort();
  const file = join(options.dir, 'git-eventsource.yaml');
  await writeFile(
    file,
    `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: benchgit}
spec:
  github:
    push:
      webhook: {port: "${port}", endpoint: /github, method: POST}
      events: [push]
      webhookSecret: {name: bench, key: secret}
  webhook:
    plain: {port: "${port}", endpoint: /plain, method: POST}
`,
  );
  const metrics = await freePort();
  options.processes.push(
    await startProcess(
      'impulse eventsource (git)',
      [
        ...SERVICE_NODE_FLAGS,
        options.cli,
        'eventsource',
        '-f',
        file,
        '--bus',
        options.natsUrl,
        '--metrics-port',
        String(metrics),
      ],
      /eventsource running/,
      { LOG_LEVEL: 'info', IMPULSE_BUS_NAME: BUS, IMPULSE_SECRET_BENCH_SECRET: SECRET },
    ),
  );
  await untilHealthy(`http://127.0.0.1:${metrics}/health`);
  const nc = await connect({ servers: options.natsUrl });
  const jsm = await jetstreamManager(nc);

  const load = async (path: string, duration: number) => {
    const result = await autocannon({
      url: `http://127.0.0.1:${port}${path}`,
      connections: options.connections,
      duration,
      requests: [
        {
          method: 'POST',
          body,
          // The very same requests to both endpoints (the plain webhook ignores the GitHub headers),
          // so only the server's work differs. A delivery id per request, as GitHub sends: every
          // push is a new event, never a duplicate.
          headers: {
            'content-type': 'application/json',
            'x-github-event': 'push',
            'x-hub-signature-256': signature,
          },
          setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'x-github-delivery': randomUUID() } }),
        },
      ],
    });
    if (result.non2xx > 0 || result.errors > 0)
      say(
        `    ${path}: ${result.non2xx} non-2xx ${JSON.stringify(result.statusCodeStats)}, ${result.errors} errors`,
      );
    // Only stored events count; then the stream is emptied, so no run meets a full stream (1 GiB).
    await jsm.streams.purge(BUS);
    return result['2xx'] / duration;
  };

  await load('/plain', 2); // warm-up
  await load('/github', 2);
  const plainRuns: number[] = [];
  const signedRuns: number[] = [];
  for (let round = 0; round < options.rounds; round++) {
    // Alternating which goes first, so neither always runs on a machine the other has warmed.
    const order = round % 2 === 0 ? [false, true] : [true, false];
    for (const signed of order) {
      if (signed) signedRuns.push(await load('/github', options.durationS));
      else plainRuns.push(await load('/plain', options.durationS));
    }
  }
  const plain = percentile(plainRuns, 50);
  const signed = percentile(signedRuns, 50);
  await nc.close();
  const ratio = signed / plain;
  const runs = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  say(`(d) ${body.length}-byte GitHub push, same EventSource process:`);
  say(`    plain webhook, unsigned:              ${plain.toFixed(0)} req/s (median of ${runs(plainRuns)})`);
  say(`    github, X-Hub-Signature-256 verified: ${signed.toFixed(0)} req/s (median of ${runs(signedRuns)})`);
  say(
    `    ratio signed/plain: ${(ratio * 100).toFixed(1)}%   goal >= 90%: ${ratio >= 0.9 ? 'met' : 'NOT met'}`,
  );
  return { ratio };
}

// `npx tsx bench/support/git-push.ts`: this phase alone, on a private nats-server, from dist/.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say('building dist/ (npm run build)');
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'inherit' });
  const nats = await startNatsServer();
  const dir = await mkdtemp(join(tmpdir(), 'impulse-bench-git-'));
  const processes: BenchProcess[] = [];
  try {
    await gitPushPhase({
      cli: 'dist/cli/main.js',
      natsUrl: nats.url,
      dir,
      rounds: Number(process.env.BENCH_ROUNDS ?? 5),
      durationS: Number(process.env.BENCH_DURATION_S ?? 5),
      connections: 64,
      say,
      processes,
    });
    for (const p of processes) say(`peak RSS ${p.name}: ${p.peakRssMb().toFixed(1)} MB`);
  } finally {
    for (const p of processes) await p.stop();
    await nats.close();
    await rm(dir, { recursive: true, force: true });
  }
}
