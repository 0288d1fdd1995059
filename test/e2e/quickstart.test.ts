import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { removeBusTraces, testBusName } from '../support/jetstream.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { waitFor } from '../support/wait.ts';

const busName = testBusName();
afterAll(async () => {
  await removeBusTraces(busName);
});

/** Runs `impulse dev ARGS`, collecting its output lines, until `stop()` sends Ctrl-C. */
function startDev(args: string[]) {
  const dev = spawn(process.execPath, [join(REPO_ROOT, 'bin/impulse.js'), 'dev', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, IMPULSE_BUS_NAME: busName },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [dev.stdout, dev.stderr])
    createInterface({ input: stream }).on('line', (l) => lines.push(l));
  const exited = new Promise<number | null>((resolve) => dev.once('exit', (code) => resolve(code)));
  return {
    lines,
    async stop() {
      dev.kill('SIGINT');
      return exited;
    },
  };
}

/** POSTs the README's curl until the webhook accepts it. */
function curlPush() {
  return waitFor(
    async () => {
      const r = await fetch('http://127.0.0.1:12000/push', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'hello' }),
      }).catch(() => undefined);
      return r?.status === 200 ? r : undefined;
    },
    { timeoutMs: 20_000, message: 'the webhook to accept the curl' },
  );
}

// One file, so the two runs never hold port 12000 at the same time.
describe('the README quick start', () => {
  it('starts with `npx impulse dev examples/quickstart`, and a curl makes both sensors fire', async () => {
    // As the README says: start it, send one event, watch the triggers fire, stop it with Ctrl-C.
    const dev = startDev(['examples/quickstart']);
    const { lines } = dev;
    try {
      await waitFor(
        () =>
          lines.some((l) => l.includes('[sensor/notified] sensor active')) &&
          lines.some((l) => l.includes('[sensor/quickstart] sensor active')),
        { timeoutMs: 20_000, message: 'both sensors to be active' },
      );
      expect((await curlPush()).status).toBe(200);
      const pushed = await waitFor(
        () => lines.find((l) => l.includes('[sensor/quickstart] log trigger fired')),
        {
          timeoutMs: 10_000,
          message: 'the log trigger',
        },
      );
      expect(pushed).toContain('"message":"hello"');
      const notified = await waitFor(
        () => lines.find((l) => l.includes('[sensor/notified] log trigger fired')),
        {
          timeoutMs: 10_000,
          message: 'the HTTP trigger to call /notified',
        },
      );
      expect(notified).toContain('"body":{"message":"hello","eventId":');
    } finally {
      expect(await dev.stop()).toBe(0);
    }
  }, 60_000);

  it('runs in one process on the in-memory bus with --bus memory://, and says loudly that nothing is durable', async () => {
    const dev = startDev(['examples/quickstart', '--bus', 'memory://']);
    try {
      await waitFor(() => dev.lines.some((l) => l.includes('NOTHING IS DURABLE')), { timeoutMs: 20_000 });
      await waitFor(() => dev.lines.filter((l) => l.includes('sensor active')).length === 2, {
        timeoutMs: 20_000,
        message: 'both sensors to be active',
      });
      expect((await curlPush()).status).toBe(200);
      const notified = await waitFor(() => dev.lines.find((l) => l.includes('trigger=log-notified')), {
        timeoutMs: 10_000,
        message: 'the loop to close on the memory bus',
      });
      expect(notified).toContain('"message":"hello"');
    } finally {
      expect(await dev.stop()).toBe(0);
    }
  }, 60_000);
});
