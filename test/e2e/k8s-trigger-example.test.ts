import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { clients } from '../kube-emulator/fixture.ts';
import { removeBusTraces, testBusName } from '../support/jetstream.ts';
import { startKubeEmulator } from '../support/kube-emulator/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { waitFor } from '../support/wait.ts';

const busName = testBusName();
afterAll(() => removeBusTraces(busName));

const release = (version: string) =>
  waitFor(
    async () => {
      const r = await fetch('http://127.0.0.1:12100/release', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ version }),
      }).catch(() => undefined);
      return r?.status === 200 ? r : undefined;
    },
    { timeoutMs: 20_000, message: 'the webhook to accept the release' },
  );

describe('examples/k8s-trigger, as its README walks through it', () => {
  it('a release creates a Job and applies the Deployment in the emulator', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'impulse-k8s-example-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await using emulator = await startKubeEmulator({ controllers: { readyDelayMs: 50, jobDurationMs: 50 } });
    await emulator.writeKubeconfig(kubeconfig);
    const api = clients(emulator);
    const dev = spawn(process.execPath, [join(REPO_ROOT, 'bin/impulse.js'), 'dev', 'examples/k8s-trigger'], {
      cwd: REPO_ROOT,
      env: { ...process.env, KUBECONFIG: kubeconfig, IMPULSE_BUS_NAME: busName },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    for (const stream of [dev.stdout, dev.stderr])
      createInterface({ input: stream }).on('line', (l) => lines.push(l));
    const exited = new Promise((resolve) => dev.once('exit', resolve));
    try {
      await waitFor(() => lines.some((l) => l.includes('[sensor/release] sensor active')), {
        timeoutMs: 20_000,
        message: 'the sensor to be active',
      });
      await release('1.27.3');
      const image = async () =>
        (
          await api.apps
            .readNamespacedDeployment({ name: 'web', namespace: 'default' })
            .catch(() => undefined)
        )?.spec?.template.spec?.containers[0]?.image;
      await waitFor(async () => (await image()) === 'nginx:1.27.3', {
        timeoutMs: 15_000,
        message: 'the Deployment',
      });
      const jobs = await waitFor(
        async () =>
          (await api.batch.listNamespacedJob({ namespace: 'default' })).items.filter((j) =>
            j.metadata?.name?.startsWith('migrate-'),
          ),
        { timeoutMs: 15_000, message: 'the migration Job' },
      ).then((items) => (items.length > 0 ? items : undefined));
      expect(jobs?.[0]?.spec?.template.spec?.containers[0]?.env?.[0]).toEqual({
        name: 'VERSION',
        value: '1.27.3',
      });
      expect(jobs?.[0]?.metadata?.labels?.['events.argoproj.io/sensor']).toBe('release');
      await waitFor(
        () => lines.some((l) => /k8s trigger: created apps\/v1 Deployment default\/web/.test(l)),
        {
          message: 'the log line the README shows',
        },
      );

      await release('1.27.4');
      await waitFor(async () => (await image()) === 'nginx:1.27.4', {
        timeoutMs: 15_000,
        message: 'the second roll-out',
      });
      await waitFor(
        () => lines.some((l) => /k8s trigger: patched apps\/v1 Deployment default\/web/.test(l)),
        {
          message: 'the patched log line',
        },
      );
    } finally {
      dev.kill('SIGINT');
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  });
});
