import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeEmulator } from '../support/kube-emulator/index.ts';
import { waitFor } from '../support/wait.ts';
import { asPatch, clients, startTestEmulator } from './fixture.ts';

/** Stands for the impulse binary: reports what it was given, then runs until SIGTERM. */
const FAKE_IMPULSE = `
import { readFileSync, writeFileSync } from 'node:fs';
const argv = process.argv.slice(2);
const specFile = argv[argv.indexOf('-f') + 1];
const report = {
  argv,
  pid: process.pid,
  env: { IMPULSE_SECRETS_DIR: process.env.IMPULSE_SECRETS_DIR, TOKEN: process.env.TOKEN, KUBECONFIG: process.env.KUBECONFIG, POD: process.env.POD },
  spec: readFileSync(specFile, 'utf8'),
  secret: readFileSync(process.env.IMPULSE_SECRETS_DIR + '/bus/token', 'utf8'),
  cwd: process.cwd(),
};
writeFileSync(process.env.REPORT_FILE, JSON.stringify(report));
if (process.env.CRASH === '1') process.exit(3);
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1000);
`;

interface Report {
  argv: string[];
  pid: number;
  env: Record<string, string | undefined>;
  spec: string;
  secret: string;
  cwd: string;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('kube-emulator: process runner', () => {
  let emulator: KubeEmulator;
  let api: ReturnType<typeof clients>;
  let dir: string;
  const namespace = 'default';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kube-emulator-runner-'));
    const script = join(dir, 'fake-impulse.mjs');
    await writeFile(script, FAKE_IMPULSE);
    emulator = await startTestEmulator({
      processRunner: { image: 'impulse:test', command: [process.execPath, script] },
    });
    api = clients(emulator);
    await api.core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'bus' }, stringData: { token: 's3cret' } },
    });
    await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'spec' }, data: { 'object.yaml': 'kind: Sensor\n' } },
    });
  });
  afterAll(async () => {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  const sensorDeployment = (
    name: string,
    report: string,
    extraEnv: { name: string; value: string }[] = [],
  ): V1Deployment => ({
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'main',
              image: 'impulse:test',
              args: ['sensor', '-f', '/etc/impulse/spec/object.yaml', '--metrics-port', '9090'],
              env: [
                { name: 'IMPULSE_SECRETS_DIR', value: '/etc/impulse/secrets' },
                { name: 'REPORT_FILE', value: report },
                { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'bus', key: 'token' } } },
                { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                ...extraEnv,
              ],
              volumeMounts: [
                { name: 'spec', mountPath: '/etc/impulse/spec' },
                { name: 'secrets', mountPath: '/etc/impulse/secrets' },
              ],
            },
            { name: 'other', image: 'nginx:1.27' },
          ],
          volumes: [
            { name: 'spec', configMap: { name: 'spec' } },
            { name: 'secrets', secret: { secretName: 'bus', items: [{ key: 'token', path: 'bus/token' }] } },
          ],
        },
      },
    },
  });

  const readReport = async (file: string, notPid?: number) =>
    waitFor(
      async () => {
        const report = JSON.parse(await readFile(file, 'utf8')) as Report;
        return report.pid !== notPid ? report : undefined;
      },
      { timeoutMs: 10_000, message: 'the process to report' },
    );

  it('runs the impulse container with its arguments, environment and volumes mapped to local folders', async () => {
    const report = join(dir, 'sensor.json');
    await api.apps.createNamespacedDeployment({ namespace, body: sensorDeployment('sensor', report) });
    const got = await readReport(report);
    const [running] = emulator.processes();
    expect(emulator.processes()).toHaveLength(1);
    expect(running).toMatchObject({
      deployment: 'sensor',
      container: 'main',
      state: 'running',
      pid: got.pid,
    });
    expect(got.cwd).toBe(running?.podDir);
    expect(got.argv.slice(0, 2)).toEqual(['sensor', '-f']);
    expect(got.argv[2]).toBe(`${running?.podDir}/etc/impulse/spec/object.yaml`);
    expect(got.spec).toBe('kind: Sensor\n');
    expect(got.argv[3]).toBe('--metrics-port');
    expect(Number(got.argv[4])).toBe(running?.metricsPort);
    expect(got.env.IMPULSE_SECRETS_DIR).toBe(`${running?.podDir}/etc/impulse/secrets`);
    expect(got.secret).toBe('s3cret');
    expect(got.env.TOKEN).toBe('s3cret');
    expect(got.env.POD).toBe(running?.pod);
    expect(await readFile(got.env.KUBECONFIG ?? '', 'utf8')).toContain(emulator.url);
  });

  it('stops the process when the Deployment scales to zero, starts it again, and stops it on delete', async () => {
    const report = join(dir, 'scaled.json');
    await api.apps.createNamespacedDeployment({ namespace, body: sensorDeployment('scaled', report) });
    const first = await readReport(report);
    await api.apps.patchNamespacedDeployment(
      { namespace, name: 'scaled', body: { spec: { replicas: 0 } } },
      asPatch.merge,
    );
    await waitFor(() => !alive(first.pid), { message: 'the process to stop' });
    expect(emulator.processes().some((p) => p.deployment === 'scaled')).toBe(false);
    await api.apps.patchNamespacedDeployment(
      { namespace, name: 'scaled', body: { spec: { replicas: 1 } } },
      asPatch.merge,
    );
    const second = await readReport(report, first.pid);
    expect(alive(second.pid)).toBe(true);
    await api.apps.deleteNamespacedDeployment({ namespace, name: 'scaled' });
    await waitFor(() => !alive(second.pid), { message: 'the process to stop after delete' });
  });

  it('restarts a process that exits, with backoff', async () => {
    const report = join(dir, 'crashing.json');
    await api.apps.createNamespacedDeployment({
      namespace,
      body: sensorDeployment('crashing', report, [{ name: 'CRASH', value: '1' }]),
    });
    const first = await readReport(report);
    await readReport(report, first.pid);
    const crashing = emulator.processes().find((p) => p.deployment === 'crashing');
    expect(crashing?.restarts).toBeGreaterThanOrEqual(1);
    expect(crashing?.exitCode === 3 || crashing?.state === 'running').toBe(true);
    await api.apps.deleteNamespacedDeployment({ namespace, name: 'crashing' });
    await waitFor(() => !emulator.processes().some((p) => p.deployment === 'crashing'));
  });

  it('starts a pod whose ConfigMap appears later', async () => {
    const report = join(dir, 'late.json');
    const body = sensorDeployment('late', report);
    const volumes = body.spec?.template.spec?.volumes ?? [];
    volumes[0] = { name: 'spec', configMap: { name: 'late-spec' } };
    await api.apps.createNamespacedDeployment({ namespace, body });
    const failed = await waitFor(() =>
      emulator.processes().find((p) => p.deployment === 'late' && p.state === 'failed'),
    );
    expect(failed.error).toContain('configmap "late-spec" not found');
    await api.core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'late-spec' }, data: { 'object.yaml': 'kind: Late\n' } },
    });
    const got = await readReport(report);
    expect(got.spec).toBe('kind: Late\n');
  });
});
